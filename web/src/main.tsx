import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { AppServicesProvider } from './auth/AuthContext';
import { loadConfig } from './config';
import { ErrorBoundary } from './ui/ErrorBoundary';
import './index.css';

const root = createRoot(document.getElementById('root')!);

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <ErrorBoundary>
          <AppServicesProvider config={config}>
            <BrowserRouter future={{ v7_startTransition: true }}>
              <App />
            </BrowserRouter>
          </AppServicesProvider>
        </ErrorBoundary>
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main className="centered" role="alert">
        <h1>The page could not start</h1>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    ),
);
