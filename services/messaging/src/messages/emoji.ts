/** Skin tones and the emoji presentation selector, which may follow a pictograph. */
const MODIFIERS = '[\\u{FE0F}\\u{1F3FB}-\\u{1F3FF}]*';
/** A pictograph with its modifiers, and optional tag characters (subdivision flags such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿). */
const PICTOGRAPH = `\\p{Extended_Pictographic}${MODIFIERS}(?:[\\u{E0020}-\\u{E007E}]+\\u{E007F})?`;

/**
 * Exactly one emoji, as a reaction is: a pictograph with skin tone / presentation modifiers,
 * a ZWJ sequence of them (👩‍💻, 👨‍👩‍👧), a flag (two regional indicators) or a keycap (1️⃣).
 * Letters, digits, punctuation and invisible characters on their own are refused.
 */
const EMOJI = new RegExp(`^(?:${PICTOGRAPH}(?:\\u{200D}${PICTOGRAPH}){0,9}|\\p{Regional_Indicator}{2}|[#*0-9]\\u{FE0F}?\\u{20E3})$`, 'u');

export const isEmoji = (value: string): boolean => EMOJI.test(value);
