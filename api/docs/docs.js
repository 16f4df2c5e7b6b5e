// Renders /v1/openapi.json without any third-party code (the API serves no CDN content).
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};
const resolve = (spec, schema) => {
  if (schema && schema.$ref) return spec.components.schemas[schema.$ref.split("/").pop()];
  return schema;
};
const block = (title, value) => el("details", {}, el("summary", {}, title), el("pre", {}, JSON.stringify(value, null, 2)));

const spec = await (await fetch("/v1/openapi.json")).json();
document.getElementById("intro").textContent = `${spec.info.description} OpenAPI ${spec.openapi}, version ${spec.info.version}.`;
const main = document.getElementById("paths");
for (const [path, ops] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    const s = el("section", {}, el("h3", {}, el("span", { class: `method ${method}` }, method), " ", el("code", {}, path), op.security ? el("span", { class: "lock", title: "needs a session" }, " 🔒") : ""));
    s.append(el("p", {}, op.summary ?? ""));
    for (const p of op.parameters ?? []) s.append(el("div", {}, el("code", {}, `${p.in} ${p.name}${p.required ? "" : "?"}`), " ", JSON.stringify(p.schema)));
    for (const [type, c] of Object.entries(op.requestBody?.content ?? {})) s.append(block(`request body (${type})`, resolve(spec, c.schema)));
    for (const [status, r] of Object.entries(op.responses ?? {})) {
      const c = r.content && Object.values(r.content)[0];
      s.append(c ? block(`${status} ${r.description}`, resolve(spec, c.schema)) : el("div", {}, `${status} ${r.description}`));
    }
    main.append(s);
  }
}
