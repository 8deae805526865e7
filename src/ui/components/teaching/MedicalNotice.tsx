/** "Not for medical use", always on the page (a strip that stays in view; not a popup, nothing to dismiss). */
import './Lesson.css';
import { NOT_FOR_MEDICAL_USE, NOTICE_SHORT } from '../../../run/notice';

export function MedicalNotice() {
  return (
    <p role="note" className="medical-notice">
      <strong>{NOTICE_SHORT}</strong>
      {NOT_FOR_MEDICAL_USE.slice(NOTICE_SHORT.length)}
    </p>
  );
}
