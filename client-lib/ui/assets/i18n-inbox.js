// The inbox's paging texts in Dutch and English. Kept beside inbox.js, which sets them itself
// on every render, so the page's shared tables (i18n.js) stay as they are.
import { currentLanguage } from './i18n.js';

const texts = {
  nl: {
    shown: (shown, total) => `${shown} van ${total} berichten getoond`,
    more: (count) => `Meer laden (${count})`,
  },
  en: {
    shown: (shown, total) => `Showing ${shown} of ${total} messages`,
    more: (count) => `Load more (${count})`,
  },
};

/// "100 van 5000 berichten getoond".
export function shownText(shown, total) { return texts[currentLanguage()].shown(shown, total); }
/// "Meer laden (100)": the button that shows the next `count` messages.
export function moreText(count) { return texts[currentLanguage()].more(count); }
