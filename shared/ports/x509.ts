import type { CertificateSummary } from '../domain/controlpanel/users';

export interface CompanyDetails {
  country: string;
  state?: string;
  city?: string;
  organization: string;
  organizationalUnit?: string;
  commonName: string;
  email?: string;
  days: number;
}

/** Certificate work: parse and match uploaded PEM, make self-signed certificates. */
export interface X509Tool {
  /** Throws ValidationError naming `privateKey` / `certificate` for malformed PEM or a key that does not match. */
  inspect(privateKeyPem: string, certificatePem: string): CertificateSummary;
  selfSigned(details: CompanyDetails, now: Date): Promise<{ privateKeyPem: string; certificatePem: string; summary: CertificateSummary }>;
}
