/** Copies a link to the clipboard; says what happened (a refusal asks the user to copy it by hand). */
export async function copyText(text: string): Promise<string> {
  try {
    await navigator.clipboard.writeText(text);
    return 'Link copied.';
  } catch {
    return 'The browser did not allow copying: select the link and copy it by hand.';
  }
}
