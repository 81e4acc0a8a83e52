// Collab shapes of contract §6 as the app reads them; they move to @flux/shared once collab.ts lands.
export interface DocumentInfo {
  id: string;
  projectId: string;
  title: string;
  createdAt: string;
  updatedAt?: string;
}

export interface DocumentVersion {
  id: string;
  documentId?: string;
  name: string;
  createdAt: string;
  createdBy?: string | null;
}
