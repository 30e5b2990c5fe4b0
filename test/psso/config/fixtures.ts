/** Shared login configuration fixtures of the config tests. */
export const base = {
  clientID: 'psso-client',
  issuer: 'https://idp.example.com',
  tokenEndpointURL: 'https://idp.example.com/oauth2/token?x=1',
  jwksEndpointURL: 'https://idp.example.com/jwks',
};
export const wsTrust = {
  ...base,
  federationType: 'wsTrust',
  federationRequestURN: 'urn:federation:MicrosoftOnline',
  federationMEXURL: 'https://sts.example.com/adfs/services/trust/mex',
};
export const dynamic = {
  ...base,
  federationType: 'dynamicWSTrust',
  federationRequestURN: 'urn:federation:MicrosoftOnline',
  federationUserPreauthenticationURL: 'https://login.example.com/common/userrealm',
  federationMEXURLKeypath: 'federation_metadata_url',
  federationPredicate: "account_type == 'Federated'",
};
