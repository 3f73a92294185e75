/** A CA file may hold several certificates (a trust bundle during a CA rotation). */
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function splitPemCertificates(text: string): string[] {
  return [...text.matchAll(PEM_CERT)].map((m) => `${m[0]}\n`);
}
