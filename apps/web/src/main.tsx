import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext } from './api/api-context.js';
import { ApiClient } from './api/client.js';
import { App } from './app.js';
import { AuthProvider } from './auth/auth-context.js';
import './styles.css';

const api = new ApiClient();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

createRoot(root).render(
  <StrictMode>
    <ApiContext value={api}>
      <AuthProvider>
        <App />
      </AuthProvider>
    </ApiContext>
  </StrictMode>,
);
