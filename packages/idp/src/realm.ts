/**
 * User realm discovery, as Microsoft Entra answers it (`/common/userrealm/{user}`,
 * `/common/UserRealm?user=…&api-version=1.0`): what macOS's dynamic WS-Trust asks before MEX.
 *
 * @module
 */
import { canonicalDomain, usernameDomain } from './auth/username.js';

/** Realm settings. */
export interface RealmSettings {
  readonly federatedDomains: readonly string[];
  readonly managedDomains: readonly string[];
  readonly mexUrl: string;
  /** `federation_active_auth_url`: the 2005 usernamemixed endpoint, as Entra reports it. */
  readonly activeAuthUrl: string;
  readonly cloudAudienceUrn: string;
  readonly cloudInstanceName: string;
}

/** The realm JSON for `user` (a UPN; the domain is what follows the last `@`). */
export function userRealm(user: string, s: RealmSettings): Record<string, string> {
  const domain = domainOf(user);
  const base = {
    ver: '1.0',
    cloud_instance_name: s.cloudInstanceName,
    cloud_audience_urn: s.cloudAudienceUrn,
  };
  if (inDomains(user, s.federatedDomains)) {
    return {
      ...base,
      account_type: 'Federated',
      domain_name: domain,
      federation_protocol: 'WSTrust',
      federation_metadata_url: s.mexUrl,
      federation_active_auth_url: s.activeAuthUrl,
    };
  }
  if (inDomains(user, s.managedDomains)) {
    return { ...base, account_type: 'Managed', domain_name: domain };
  }
  return { ...base, account_type: 'Unknown' };
}

/** The domain of a UPN (after its last `@`), lower case; `''` when there is none. */
export function domainOf(upn: string): string {
  const at = upn.lastIndexOf('@');
  return at === -1 ? '' : upn.slice(at + 1).toLowerCase();
}

/**
 * Whether the UPN's domain is one of `domains` (the same rule the user realm answers with),
 * compared in canonical form (IDNA A-label: an NFD, NFC, upper-case or `xn--` spelling of one
 * domain is that domain).
 */
export function inDomains(upn: string, domains: readonly string[]): boolean {
  const domain = usernameDomain(upn);
  return domain !== '' && domains.some((d) => canonicalDomain(d) === domain);
}
