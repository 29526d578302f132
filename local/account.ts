/** Where local mode pretends to be, for ARNs: one account in one region. */
export interface LocalAccount {
  region: string;
  accountId: string;
}
