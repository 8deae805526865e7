/** Entry point: one bridge (workers + storage), the backend chosen before the first render, then the page. */
import './styles/global.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { parseBackendParam } from './view/backendParam';
import { createLabClient } from '../workers/client';

const bridge = createLabClient();
const { requested, warning } = parseBackendParam(window.location.search);
// Started here, not in an effect: StrictMode runs effects twice in development and the choice must happen once.
const backendReport = bridge.trainer.initBackend(requested);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App bridge={bridge} backendReport={backendReport} backendWarning={warning} />
  </StrictMode>,
);
