/*
 * Table types. Timestamps are ISO 8601 UTC strings (`toISOString()`), which sort correctly as text
 * on both SQLite and PostgreSQL; booleans are 0/1 integers; JSON is text. Keeping to these three
 * portable representations is what lets one set of queries run on both databases.
 */

export interface AppsTable {
  id: string;
  name: string;
  sandbox: number;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  app_id: string;
  name: string | null;
  prefix: string;
  last4: string;
  key_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface RedirectUrisTable {
  id: string;
  app_id: string;
  uri: string;
  created_at: string;
}

export interface AppCredentialsTable {
  app_id: string;
  platform: string;
  mode: string;
  client_id: string | null;
  client_secret_enc: string | null;
  created_at: string;
  updated_at: string;
}

export interface EndUsersTable {
  id: string;
  app_id: string;
  external_user_id: string;
  display_name: string | null;
  email: string | null;
  metadata: string;
  created_at: string;
  updated_at: string;
}

export interface ConnectionsTable {
  id: string;
  app_id: string;
  end_user_id: string;
  platform: string;
  status: string;
  remote_account_id: string;
  remote_username: string | null;
  account_type: string | null;
  display_name: string | null;
  scopes: string;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  expires_at: string | null;
  refresh_expires_at: string | null;
  credential_mode: string;
  credential_client_id: string | null;
  /** The `expires_at` a `connection.expiring` webhook event was emitted for (once per expiry). */
  expiry_warned_for?: string | null;
  created_at: string;
  updated_at: string;
}

export interface RequestLogsTable {
  id: string;
  app_id: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  request_id: string;
  key_prefix: string | null;
  created_at: string;
}

export interface ConnectSessionsTable {
  id: string;
  app_id: string;
  end_user_id: string;
  platform: string;
  redirect_uri: string;
  display: string | null;
  status: string;
  error_code: string | null;
  expires_at: string;
  started_at: string | null;
  binding_hash: string | null;
  connection_id: string | null;
  pending_accounts_enc: string | null;
  created_at: string;
  updated_at: string;
}

export interface OauthStatesTable {
  id: string;
  state_hash: string;
  session_id: string;
  platform: string;
  credential_mode: string;
  client_id: string;
  client_secret_enc: string;
  code_verifier_enc: string;
  callback_url: string;
  binding_hash: string;
  expires_at: string;
  consumed_at: string | null;
  created_at: string;
}

export interface IdempotencyKeysTable {
  app_id: string;
  idempotency_key: string;
  fingerprint: string;
  status: string;
  response_status: number | null;
  response_body: string | null;
  locked_until: string;
  created_at: string;
}

export interface PostsTable {
  id: string;
  app_id: string;
  end_user_id: string | null;
  external_user_id: string;
  mode: string;
  status: string;
  /** JSON array of platforms, in request order. */
  platforms: string;
  content: string;
  title: string | null;
  /** JSON `{mediaUrl?, mediaUrls?, thumbnailUrl?}`. */
  media: string;
  platform_options: string;
  metadata: string;
  schedule_at: string | null;
  effective_at: string;
  sandbox: number;
  idempotency_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface PostDeliveriesTable {
  id: string;
  post_id: string;
  app_id: string;
  platform: string;
  sandbox: number;
  pool: string;
  status: string;
  phase: string | null;
  attempts: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  checkpoint: string;
  external_id: string | null;
  url: string | null;
  published_at: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookEndpointsTable {
  id: string;
  app_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types, or null for every type. */
  events: string | null;
  /** active | failing | disabled */
  status: string;
  secret_enc: string;
  /** Encrypted JSON `[{secret, expiresAt}]`: rotated-out secrets still signing. */
  previous_secrets_enc: string | null;
  previous_secrets_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookEventsTable {
  /** `msg_...`, the `webhook-id` of every attempt. */
  id: string;
  app_id: string;
  type: string;
  /** The exact JSON body that is signed and sent. */
  payload: string;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  app_id: string;
  /** pending | delivering | succeeded | failed */
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  manual: number;
  last_attempt_at: string | null;
  response_status: number | null;
  duration_ms: number | null;
  error: string | null;
  response_body: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  apps: AppsTable;
  api_keys: ApiKeysTable;
  redirect_uris: RedirectUrisTable;
  app_credentials: AppCredentialsTable;
  end_users: EndUsersTable;
  connections: ConnectionsTable;
  request_logs: RequestLogsTable;
  connect_sessions: ConnectSessionsTable;
  oauth_states: OauthStatesTable;
  idempotency_keys: IdempotencyKeysTable;
  posts: PostsTable;
  post_deliveries: PostDeliveriesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
