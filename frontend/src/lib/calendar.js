// form-js's date fields use flatpickr (imported for its side effects on flatpickr's defaults).
// On a phone flatpickr swaps in a native date input of its own, which ignores `readonly` (read-only
// dates became editable) and has no calendar element, so form-js's close handler threw
// `TypeError ... removeEventListener`. The same calendar everywhere, in the user's language (month
// and weekday names, Monday first, the day's spoken label) when the page is in Chinese.
import flatpickr from 'flatpickr';
import { Mandarin } from 'flatpickr/dist/l10n/zh';

flatpickr.setDefaults({ disableMobile: true });
if ((document.documentElement.lang || '').toLowerCase().startsWith('zh')) {
  flatpickr.localize({ ...Mandarin, firstDayOfWeek: 1 }); // weeks start on Monday in China
  flatpickr.setDefaults({ ariaDateFormat: 'Y年n月j日' });
}
