// The genesis of a Besu QBFT network: its `extraData` (who the first validators are) and the rest of the file.
// Besu's layout of QBFT extra data (QbftExtraDataCodec; the genesis examples of Besu's QBFT documentation):
//   RLP([ vanity: 32 bytes, validators: [20-byte address, …], vote: [] (none), round: 0, seals: [] ])
// The genesis block carries no vote, round 0 (RLP's empty string, 0x80) and no committed seals.
import { decodeRlp, encodeRlp, getAddress, toBeHex } from "ethers";

/** The 32 bytes a QBFT header carries before its RLP fields; unused by consensus, zero in the genesis. */
const VANITY = `0x${"00".repeat(32)}`;

/** Encodes a genesis `extraData` naming `validators`, in the order given (Besu sorts them itself where it needs to). */
export function encodeQbftExtraData(validators: readonly string[]): string {
  return encodeRlp([VANITY, validators.map((v) => getAddress(v).toLowerCase()), [], "0x", []]);
}

/** What a QBFT `extraData` holds. */
export interface QbftExtraData {
  vanity: string;
  validators: string[];
  /** The vote a block carries: none in a genesis. */
  vote: { recipient: string; add: boolean } | undefined;
  round: number;
  seals: string[];
}

/** Decodes a QBFT `extraData`; throws when it is not Besu's five-field layout. */
export function decodeQbftExtraData(extraData: string): QbftExtraData {
  const fields = decodeRlp(extraData);
  if (!Array.isArray(fields) || fields.length !== 5) throw new Error("QBFT extraData is an RLP list of five fields");
  const [vanity, validators, vote, round, seals] = fields;
  if (typeof vanity !== "string" || vanity.length !== 2 + 64) throw new Error("QBFT extraData: the vanity is 32 bytes");
  if (!Array.isArray(validators) || validators.some((v) => typeof v !== "string" || v.length !== 2 + 40)) {
    throw new Error("QBFT extraData: the validators are a list of 20-byte addresses");
  }
  if (!Array.isArray(vote) || (vote.length !== 0 && vote.length !== 2)) throw new Error("QBFT extraData: the vote is an empty list or [address, type]");
  if (typeof round !== "string") throw new Error("QBFT extraData: the round is an integer");
  if (!Array.isArray(seals) || seals.some((s) => typeof s !== "string")) throw new Error("QBFT extraData: the seals are a list of signatures");
  return {
    vanity,
    validators: (validators as string[]).map((v) => getAddress(v)),
    vote: vote.length === 2 ? { recipient: getAddress(vote[0] as string), add: vote[1] === "0xff" } : undefined,
    round: round === "0x" ? 0 : Number(BigInt(round)),
    seals: seals as string[],
  };
}

/** Under Osaka (EIP-7825) one transaction may use at most 2^24 gas: a block must hold at least that. */
export const MAX_TX_GAS = 16_777_216;

export interface QbftGenesisOptions {
  chainId: number;
  /** Seconds between blocks. */
  blockPeriodSeconds: number;
  validators: readonly string[];
  /** Block gas limit; at least {@link MAX_TX_GAS}, so that the largest transaction the network admits fits a block. */
  gasLimit: number;
  /** Blocks after which pending validator votes are discarded. */
  epochLength?: number;
  /** Seconds a round waits for a proposal before the validators move to the next round. */
  requestTimeoutSeconds?: number;
}

/**
 * A Besu QBFT genesis: every fork up to Prague (the EVM the contracts are compiled for, hardhat.config.ts) active from
 * block 0, a zero base fee (a free-gas network: members hold no ether), and the first validators in `extraData`.
 */
export function qbftGenesis(opts: QbftGenesisOptions): Record<string, unknown> {
  return {
    config: {
      chainId: opts.chainId,
      homesteadBlock: 0,
      eip150Block: 0,
      eip155Block: 0,
      eip158Block: 0,
      byzantiumBlock: 0,
      constantinopleBlock: 0,
      petersburgBlock: 0,
      istanbulBlock: 0,
      berlinBlock: 0,
      londonBlock: 0,
      shanghaiTime: 0,
      cancunTime: 0,
      pragueTime: 0,
      zeroBaseFee: true,
      qbft: {
        blockperiodseconds: opts.blockPeriodSeconds,
        epochlength: opts.epochLength ?? 30_000,
        requesttimeoutseconds: opts.requestTimeoutSeconds ?? Math.max(4, 2 * opts.blockPeriodSeconds),
      },
    },
    nonce: "0x0",
    timestamp: "0x0",
    gasLimit: toBeHex(opts.gasLimit),
    difficulty: "0x1",
    // QBFT's fixed mix hash ("ctical byzantine fault tolerance" in ASCII), which Besu expects in every QBFT header.
    mixHash: "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365",
    coinbase: "0x0000000000000000000000000000000000000000",
    alloc: {},
    extraData: encodeQbftExtraData(opts.validators),
  };
}
