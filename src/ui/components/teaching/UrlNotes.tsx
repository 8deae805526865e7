/** What the address asked for that the page could not do (unknown words, refused values, a dataset not stored). */
import './Lesson.css';

export function UrlNotes({ notes }: { notes: string[] }) {
  if (notes.length === 0) return null;
  return (
    <div className="notice url-notes" role="status">
      <strong>The address asked for something this page cannot use; the rest of it applies.</strong>
      <ul>
        {notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
    </div>
  );
}
