// The parts of @digitalbazaar/vc-bitstring-status-list (no types of its own) the credential tests use.
declare module "@digitalbazaar/vc-bitstring-status-list" {
  export function decodeList(opts: { encodedList: string }): Promise<{ length: number; getStatus(index: number): boolean }>;
  export function statusTypeMatches(opts: { credential: object }): boolean;
  export function getCredentialStatus(opts: { credential: object; statusPurpose: string }): {
    type: string; statusPurpose: string; statusListIndex: string; statusListCredential: string; statusSize?: number;
    statusMessage?: { status: string; message: string }[];
  };
}
