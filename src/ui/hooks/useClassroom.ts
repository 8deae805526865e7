/**
 * What a classroom link leaves visible: the hidden section and control ids (controls.ts) and whether explanations
 * are offered. Set once from the address (urlState.ts) at the top of the page; read by <Shown> and <Explanation>.
 */
import { createContext, useContext } from 'react';
import { isShown } from '../view/controls';

export interface Classroom {
  hidden: ReadonlySet<string>;
  explanations: boolean;
}

export const ClassroomContext = createContext<Classroom>({ hidden: new Set(), explanations: true });

export function useClassroom(): Classroom & { shown(id: string): boolean } {
  const classroom = useContext(ClassroomContext);
  return { ...classroom, shown: (id: string) => isShown(classroom.hidden, id) };
}
