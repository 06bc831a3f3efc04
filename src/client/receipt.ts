/** The voter's receipt, in a module without Node imports so that the booth writes the same file (`evote receipt` reads both). */

/** What a voter keeps after casting: enough to find the ballot on the board and, after the tally, how it counted. */
export interface Receipt {
  electionId: string;
  /** SHA-256 (hex) of the ciphertext; the server's answer was checked against the local value. */
  ballotHash: string;
  /** Ed25519 signature of the election's log key over the ballot hash: proof that the server accepted it. */
  signature: string;
  /** N2 from the letter and the salt made on this device: together (never apart) they find the counted vote. Keep it private. */
  n2: string;
  salt: string;
  /** The election's key fingerprint as computed here from the published keys: compare it with the letter's. */
  fingerprint: string;
}
