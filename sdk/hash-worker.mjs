// The worker of the SDK's hashFiles (./files.ts), run by piscina. The SDK is TypeScript run through tsx, as
// everywhere in this project; a worker thread starts without the parent's module hooks, so it registers them.
import { register } from "tsx/esm/api";

register();
const { hashFileChunk } = await import("./files.ts");

export default hashFileChunk;
