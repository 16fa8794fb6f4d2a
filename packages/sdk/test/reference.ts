// The reference's documented responses (reference/api-reference.txt, "Endpoint Reference"),
// copied character for character: the tests serve these exact bytes. reference.test.ts checks
// them against the reference file itself when it is available.

/** A documented response: its status and its body text exactly as printed. */
export interface ReferenceResponse {
  status: number;
  body: string;
}

export const REFERENCE = {
  upsertEndUser: {
    status: 200,
    body: `{
  "id": "4ea64e37-6c19-43a0-8ef5-1a7e7e2b0b89",
  "externalUserId": "user_123",
  "displayName": "Alex Morgan",
  "email": "alex@example.com",
  "metadata": { "plan": "pro", "source": "web-app" },
  "createdAt": "2026-03-21T08:00:00.000Z",
  "updatedAt": "2026-03-21T08:00:00.000Z"
}`,
  },
  getEndUser: {
    status: 200,
    body: `{
  "id": "4ea64e37-6c19-43a0-8ef5-1a7e7e2b0b89",
  "externalUserId": "user_123",
  "displayName": "Alex Morgan",
  "email": "alex@example.com",
  "connectionSummary": { "total": 2, "connected": 1, "failed": 0 }
}`,
  },
  listEndUserConnections: {
    status: 200,
    body: `[
  {
    "id": "7c7f00f5-3412-4546-8cb7-3f095b16fe49",
    "platform": "linkedin",
    "status": "connected",
    "remoteAccountId": "H8a9UFibz4",
    "remoteUsername": "ALEX_MORGAN",
    "accountType": "person"
  }
]`,
  },
  disconnectPlatform: {
    status: 204,
    body: '{}',
  },
  createConnectSession: {
    status: 201,
    body: `{
  "id": "9469c610-999a-4cb0-9807-a7037947d6b5",
  "status": "pending",
  "platform": "linkedin",
  "connectUrl": "https://mypostshare.com/connect/9469c610-999a-4cb0-9807-a7037947d6b5"
}`,
  },
  getConnectSession: {
    status: 200,
    body: `{
  "id": "9469c610-999a-4cb0-9807-a7037947d6b5",
  "status": "connected",
  "platform": "linkedin",
  "externalUserId": "user_123",
  "errorCode": null,
  "updatedAt": "2026-03-21T06:58:48.753Z"
}`,
  },
  publishPost: {
    status: 201,
    body: `{
  "id": "e3143cd2-fb9e-42cf-aa45-f7e711d4823d",
  "mode": "immediate",
  "status": "published",
  "externalUserId": "user_123",
  "platformResults": [
    { "platform": "linkedin", "status": "published", "externalId": "urn:li:share:7441018768555757568" }
  ]
}`,
  },
  schedulePost: {
    status: 201,
    body: `{
  "id": "40bb5e88-4868-4336-af0c-f18dd7a5eb45",
  "mode": "scheduled",
  "status": "scheduled",
  "externalUserId": "user_123",
  "scheduleAt": "2026-03-22T09:30:00.000Z",
  "platformResults": []
}`,
  },
  getPost: {
    status: 200,
    body: `{
  "id": "e3143cd2-fb9e-42cf-aa45-f7e711d4823d",
  "mode": "immediate",
  "status": "published",
  "externalUserId": "user_123",
  "platformResults": [
    { "platform": "linkedin", "status": "published", "externalId": "urn:li:share:7441018768555757568" }
  ]
}`,
  },
  listPosts: {
    status: 200,
    body: `[
  { "id": "e3143cd2-fb9e-42cf-aa45-f7e711d4823d", "mode": "immediate", "status": "published", "externalUserId": "user_123" },
  { "id": "40bb5e88-4868-4336-af0c-f18dd7a5eb45", "mode": "scheduled", "status": "scheduled", "externalUserId": "user_123" }
]`,
  },
} as const satisfies Record<string, ReferenceResponse>;

/** The request bodies of the reference's cURL examples, exactly as printed. */
export const REFERENCE_REQUESTS = {
  upsertEndUser: `{
    "externalUserId": "user_123",
    "displayName": "Alex Morgan",
    "email": "alex@example.com",
    "metadata": { "plan": "pro", "source": "web-app" }
  }`,
  createConnectSession: `{
    "externalUserId": "user_123",
    "platform": "linkedin",
    "redirectUri": "https://client.example.com/oauth/callback"
  }`,
  publishPost: `{
    "externalUserId": "user_123",
    "title": "Launch update",
    "content": "Testing mypostshare direct posting from docs.",
    "platforms": ["linkedin"],
    "metadata": { "source": "api-docs" }
  }`,
  schedulePost: `{
    "externalUserId": "user_123",
    "content": "Scheduled via mypostshare docs page.",
    "platforms": ["linkedin", "twitter"],
    "scheduleAt": "2026-03-22T09:30:00.000Z",
    "metadata": { "campaign": "launch-week" }
  }`,
} as const;
