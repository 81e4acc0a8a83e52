// Collab shapes come from @flux/shared (type-only, so no TypeBox in the bundle).
export type { CollabDocument as DocumentInfo, DocumentVersion } from '@flux/shared';
