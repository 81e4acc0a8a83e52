import { createContext, useContext } from 'react';
import type { ApiClient } from './client.js';

// The client is created once in main.tsx and handed down, so tests can pass their own.
export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside <ApiContext>');
  return client;
}
