/**
 * @file English cardinal numbers as Python's `num2words(n)` spells them ("eight", "twenty-one", "one hundred and
 * five", "one thousand, two hundred and three"), for SmolVLM2's video intro.
 */

const small = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

function belowHundred(value: number): string {
  if (value < 20) return small[value]!;
  const unit = value % 10;
  return unit === 0 ? tens[Math.floor(value / 10)]! : `${tens[Math.floor(value / 10)]}-${small[unit]}`;
}

function belowThousand(value: number): string {
  const hundreds = Math.floor(value / 100);
  const rest = value % 100;
  if (hundreds === 0) return belowHundred(rest);
  return rest === 0 ? `${small[hundreds]} hundred` : `${small[hundreds]} hundred and ${belowHundred(rest)}`;
}

/** Spells a non-negative integer below one million. */
export function numberToWords(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value >= 1_000_000)
    throw new RangeError(`cannot spell ${value} (0..999999)`);
  const thousands = Math.floor(value / 1000);
  const rest = value % 1000;
  if (thousands === 0) return belowThousand(rest);
  const head = `${belowThousand(thousands)} thousand`;
  if (rest === 0) return head;
  return rest < 100 ? `${head} and ${belowHundred(rest)}` : `${head}, ${belowThousand(rest)}`;
}
