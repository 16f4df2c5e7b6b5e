// autocannon ships no types and @types/autocannon is not a dependency: the little the bench uses.
declare module "autocannon" {
  interface Histogram { average: number; p50: number; p99: number; total: number }
  export interface Result { requests: Histogram; latency: Histogram; errors: number; non2xx: number }
  function autocannon(opts: Record<string, unknown>): Promise<Result>;
  export default autocannon;
}
