/** Entry point: one bridge (workers + storage), the backend chosen before the first render, then the page. */
import './styles/global.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ClassroomContext } from './hooks/useClassroom';
import { parseBackendParam } from './view/backendParam';
import { parse } from './view/urlState';
import { createLabClient } from '../workers/client';

const bridge = createLabClient();
const { requested, warning } = parseBackendParam(window.location.search);
// Started here, not in an effect: StrictMode runs effects twice in development and the choice must happen once.
const backendReport = bridge.trainer.initBackend(requested);
// The address is the lesson: settings, dataset and classroom flags, read once (the page keeps it up to date).
const lesson = parse(window.location.search);
const classroom = { hidden: new Set(lesson.state.hidden), explanations: lesson.state.explanations };

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <ClassroomContext.Provider value={classroom}>
      <App bridge={bridge} backendReport={backendReport} backendWarning={warning} lesson={lesson} />
    </ClassroomContext.Provider>
  </StrictMode>,
);
