// The parts of the Digital Bazaar libraries the credential tests use (they ship no types): the status list library.
declare module "@digitalbazaar/vc-bitstring-status-list" {
  export function decodeList(opts: { encodedList: string }): Promise<{ length: number; getStatus(index: number): boolean }>;
  export function statusTypeMatches(opts: { credential: object }): boolean;
  export function getCredentialStatus(opts: { credential: object; statusPurpose: string }): {
    type: string; statusPurpose: string; statusListIndex: string; statusListCredential: string; statusSize?: number;
    statusMessage?: { status: string; message: string }[];
  };
}

// The data model checks of @digitalbazaar/vc (VC 1.1 and 2.0 rules: contexts, types, issuer, dates, status entries).
declare module "@digitalbazaar/vc" {
  export function _checkCredential(opts: { credential: object; now?: Date; mode?: "issue" | "verify" }): void;
}
