/**
 * A one-line preview of a message's Markdown (the conversation list): the marks go, the words
 * stay. Not a parser: a preview only has to read well, and it is rendered as text.
 */
export function plainPreview(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n?/g, '') // code fences
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/^\s{0,3}(?:>\s?|[-*+]\s+|\d+[.)]\s+|#{1,6}\s+)/gm, '') // quotes, list markers, headings
    .replace(/(\*\*|__|~~|`)(.+?)\1/g, '$2') // bold, strikethrough, code
    .replace(/(^|[^\w*])[*_](\S(?:[^*_\n]*\S)?)[*_](?![\w*])/g, '$1$2') // italic (no space inside the marks)
    .replace(/\s+/g, ' ')
    .trim();
}
