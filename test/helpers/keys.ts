import { generateKeyPairSync } from "node:crypto";

/** A real RSA key in PKCS#1 PEM, the format GitHub hands out for App private keys. */
export function generatePrivateKey(): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}
