/** Plain BigInt arithmetic, independent of OpenSSL and of src/: the cross-check for threshold RSA's tests. */
export function refModPow(base: bigint, exponent: bigint, n: bigint): bigint {
  let result = 1n % n;
  let b = ((base % n) + n) % n;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % n;
    b = (b * b) % n;
  }
  return result;
}

export function refInverse(a: bigint, n: bigint): bigint {
  let [r0, r1, s0, s1] = [((a % n) + n) % n, n, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return ((s0 % n) + n) % n;
}

export function refSignedPow(x: bigint, e: bigint, n: bigint): bigint {
  return e >= 0n ? refModPow(x, e, n) : refModPow(refInverse(x, n), -e, n);
}

export function refFactorial(l: number): bigint {
  let out = 1n;
  for (let i = 2n; i <= BigInt(l); i++) out *= i;
  return out;
}

/** Shoup's combination, step by step: w = Π x_j^(2λ_j), a·4Δ² + b·e = 1, y = w^a · c^b. */
export function refCombine(n: bigint, e: bigint, l: number, c: bigint, partials: { index: number; x: bigint }[]): bigint {
  const delta = refFactorial(l);
  const indices = partials.map((p) => BigInt(p.index));
  let w = 1n;
  for (const p of partials) {
    let num = delta;
    let den = 1n;
    for (const i of indices) if (i !== BigInt(p.index)) [num, den] = [num * -i, den * (BigInt(p.index) - i)];
    if (num % den !== 0n) throw new Error('Lagrange coefficient is not an integer');
    w = (w * refSignedPow(p.x, (2n * num) / den, n)) % n;
  }
  const x = 4n * delta * delta;
  // Bézout by brute force over b: b·e ≡ 1 (mod x), then a = (1 - b·e) / x.
  const b = refInverse(e, x);
  const a = (1n - b * e) / x;
  return (refSignedPow(w, a, n) * refModPow(c, b, n)) % n;
}

export function randomBelow(n: bigint): bigint {
  const bytes = Math.ceil(n.toString(16).length / 2) + 8;
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  return BigInt('0x' + hex) % n;
}
