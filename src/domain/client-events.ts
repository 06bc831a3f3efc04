/** Events of the `client-{clientId}` stream: registered client applications (their HMAC key is in the key store). */
export interface ClientRegistered {
  type: 'ClientRegistered';
  data: { clientId: string; name: string; registeredAt: string };
}

export interface ClientRevoked {
  type: 'ClientRevoked';
  data: { clientId: string; revokedAt: string };
}

export type ClientEvent = ClientRegistered | ClientRevoked;
