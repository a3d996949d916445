/**
 * Tests for src/text/tokenizer.ts and tokenizer_json.ts against results
 * worked out by hand from Keras's Tokenizer source (keras/preprocessing/text.py),
 * and a Keras-written to_json() document.
 */
import { describe, expect, it } from 'vitest';
import { KERAS_FILTERS, Tokenizer } from '../../src/text/index.js';
import { expectError } from './expect_error.js';

const texts = ['The cat sat on the mat.', 'The dog ate my homework!'];
// counts: the 3, then 1 each in order of appearance: cat sat on mat dog ate my homework

describe('fitOnTexts / wordIndex', () => {
  it('indexes by count, ties by first appearance, from 1', () => {
    const tok = new Tokenizer().fitOnTexts(texts);
    expect([...tok.wordIndex]).toEqual([
      ['the', 1],
      ['cat', 2],
      ['sat', 3],
      ['on', 4],
      ['mat', 5],
      ['dog', 6],
      ['ate', 7],
      ['my', 8],
      ['homework', 9],
    ]);
    expect(tok.wordCounts.get('the')).toBe(3);
    expect(tok.wordDocs.get('the')).toBe(2);
    expect(tok.documentCount).toBe(2);
    expect(tok.indexWord.get(9)).toBe('homework');
  });

  it('puts the OOV token at 1', () => {
    const tok = new Tokenizer({ oovToken: '<OOV>' }).fitOnTexts(texts);
    expect(tok.wordIndex.get('<OOV>')).toBe(1);
    expect(tok.wordIndex.get('the')).toBe(2);
    expect(tok.wordIndex.get('homework')).toBe(10);
  });

  it('accumulates counts over calls', () => {
    const tok = new Tokenizer().fitOnTexts(['a b']).fitOnTexts(['b c']);
    expect([...tok.wordIndex.keys()]).toEqual(['b', 'a', 'c']);
    expect(tok.documentCount).toBe(2);
  });

  it('keeps the apostrophe and splits on filtered characters (Keras filters)', () => {
    const tok = new Tokenizer().fitOnTexts(["Don't stop-me_now\tplease"]);
    expect([...tok.wordIndex.keys()]).toEqual(["don't", 'stop', 'me', 'now', 'please']);
    expect(KERAS_FILTERS).toBe('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n');
  });

  it('honours lower: false, custom filters and split', () => {
    const tok = new Tokenizer({ lower: false, filters: '', split: ',' }).fitOnTexts(['A,b,,A b']);
    expect([...tok.wordCounts]).toEqual([
      ['A', 1],
      ['b', 1],
      ['A b', 1],
    ]);
    // A "$" in split must not be read as a replacement pattern.
    const dollar = new Tokenizer({ split: '$&', filters: '.' }).fitOnTexts(['a.b']);
    expect([...dollar.wordIndex.keys()]).toEqual(['a', 'b']);
  });

  it('charLevel counts characters, spaces included, without filters', () => {
    const tok = new Tokenizer({ charLevel: true }).fitOnTexts(['aab', 'b c!']);
    // a:2 b:2 ' ':1 c:1 !:1
    expect([...tok.wordIndex]).toEqual([
      ['a', 1],
      ['b', 2],
      [' ', 3],
      ['c', 4],
      ['!', 5],
    ]);
  });

  it('treats Object.prototype names as ordinary words, also through JSON', () => {
    const tok = new Tokenizer({ filters: '' }).fitOnTexts(['__proto__ constructor __proto__']); // '_' is a Keras filter
    expect([...tok.wordIndex]).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
    ]);
    const back = Tokenizer.fromJSON(JSON.stringify(tok));
    expect(back.textsToSequences(['constructor __proto__ toString'])).toEqual([[2, 1]]);
  });

  it('takes pre-tokenized items', () => {
    const tok = new Tokenizer().fitOnTexts([['Hello', 'World'], 'hello there']);
    expect([...tok.wordIndex.keys()]).toEqual(['hello', 'world', 'there']);
  });

  it('keeps the OOV token at 1 when it also occurs as a word (differs from Keras)', () => {
    const tok = new Tokenizer({ oovToken: 'x' }).fitOnTexts(['x x y']);
    expect([...tok.wordIndex]).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
  });
});

describe('textsToSequences / sequencesToTexts', () => {
  it('drops unknown words without an OOV token', () => {
    const tok = new Tokenizer().fitOnTexts(texts);
    expect(tok.textsToSequences(['the cat ate my dog food'])).toEqual([[1, 2, 7, 8, 6]]);
  });

  it('numWords keeps ids < numWords', () => {
    const tok = new Tokenizer({ numWords: 5 }).fitOnTexts(texts);
    expect(tok.textsToSequences(['the cat ate my dog food'])).toEqual([[1, 2]]);
    const oov = new Tokenizer({ numWords: 5, oovToken: '<OOV>' }).fitOnTexts(texts);
    // the=2 cat=3, everything else (ate 8, my 9, dog 7, food unknown) -> 1
    expect(oov.textsToSequences(['the cat ate my dog food'])).toEqual([[2, 3, 1, 1, 1, 1]]);
    expect(oov.sequencesToTexts([[2, 3, 8, 42]])).toEqual(['the cat <OOV> <OOV>']);
  });

  it('maps back to text, skipping unknown ids without an OOV token', () => {
    const tok = new Tokenizer().fitOnTexts(texts);
    expect(tok.sequencesToTexts([[1, 2, 3, 0, 99], Int32Array.of(9)])).toEqual(['the cat sat', 'homework']);
  });

  it('handles empty texts and an unfitted tokenizer', () => {
    expect(new Tokenizer().textsToSequences(['', 'a'])).toEqual([[], []]);
    expect(new Tokenizer({ oovToken: '?' }).sequencesToTexts([[1]])).toEqual(['']);
  });
});

describe('JSON in Keras format', () => {
  // What Keras 2.x's to_json() writes for Tokenizer(num_words=50, oov_token='<OOV>')
  // fitted on ['free money 2002', 'money now'], laid out by hand from
  // keras/preprocessing/text.py (json.dumps separators; word_docs in the
  // arbitrary order Python's set iteration gives it).
  const keras =
    '{"class_name": "Tokenizer", "config": {"num_words": 50, "filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n", ' +
    '"lower": true, "split": " ", "char_level": false, "oov_token": "<OOV>", "document_count": 2, ' +
    '"word_counts": "{\\"free\\": 1, \\"money\\": 2, \\"2002\\": 1, \\"now\\": 1}", ' +
    '"word_docs": "{\\"2002\\": 1, \\"free\\": 1, \\"money\\": 2, \\"now\\": 1}", ' +
    '"index_docs": "{\\"5\\": 1, \\"3\\": 1, \\"2\\": 2, \\"4\\": 1}", ' +
    '"index_word": "{\\"1\\": \\"<OOV>\\", \\"2\\": \\"money\\", \\"3\\": \\"free\\", \\"4\\": \\"2002\\", \\"5\\": \\"now\\"}", ' +
    '"word_index": "{\\"<OOV>\\": 1, \\"money\\": 2, \\"free\\": 3, \\"2002\\": 4, \\"now\\": 5}"}}';

  it('reads a document written by Keras', () => {
    const tok = Tokenizer.fromJSON(keras);
    expect(tok.numWords).toBe(50);
    expect(tok.oovToken).toBe('<OOV>');
    expect(tok.filters).toBe(KERAS_FILTERS);
    expect(tok.textsToSequences(['Free money now, 2002!', 'cash'])).toEqual([[3, 2, 5, 4], [1]]);
    // word_counts keeps Keras's order although "2002" is an integer-like key.
    expect([...tok.wordCounts.keys()]).toEqual(['free', 'money', '2002', 'now']);
  });

  it('writes what it read (same word order, so later fits break ties the same way)', () => {
    const tok = Tokenizer.fromJSON(keras);
    const fresh = new Tokenizer({ numWords: 50, oovToken: '<OOV>' }).fitOnTexts(['free money 2002', 'money now']);
    expect(JSON.parse(tok.toJSON().config.word_counts)).toEqual(JSON.parse(fresh.toJSON().config.word_counts));
    expect(tok.toJSON().config.word_counts).toBe(fresh.toJSON().config.word_counts);
    tok.fitOnTexts(['now 2002']);
    fresh.fitOnTexts(['now 2002']);
    expect([...tok.wordIndex]).toEqual([...fresh.wordIndex]);
  });

  it('round-trips through JSON.stringify', () => {
    const tok = new Tokenizer({ charLevel: true, lower: false }).fitOnTexts(['Hi there', '1 2 1']);
    const back = Tokenizer.fromJSON(JSON.stringify(tok));
    expect([...back.wordIndex]).toEqual([...tok.wordIndex]);
    expect([...back.wordCounts]).toEqual([...tok.wordCounts]);
    expect([...back.wordDocs]).toEqual([...tok.wordDocs]);
    expect(back.charLevel).toBe(true);
    expect(back.textsToSequences(['there'])).toEqual(tok.textsToSequences(['there']));
  });

  it('rejects malformed documents, naming the field', () => {
    const doc = () => JSON.parse(keras);
    expectError(() => Tokenizer.fromJSON('{'), 'E_FORMAT', /not valid JSON/);
    expectError(() => Tokenizer.fromJSON({ ...doc(), class_name: 'Vectorizer' }), 'E_FORMAT', /class_name must be 'Tokenizer'/);
    const d1 = doc();
    d1.config.word_index = '{"a": "one"}';
    expectError(() => Tokenizer.fromJSON(d1), 'E_FORMAT', /config\.word_index\["a"\] must be an integer >= 1, got "one"/);
    const d2 = doc();
    d2.config.word_counts = '{"a": 1,';
    expectError(() => Tokenizer.fromJSON(d2), 'E_FORMAT', /config\.word_counts is not valid JSON/);
    const d3 = doc();
    d3.config.lower = 'yes';
    expectError(() => Tokenizer.fromJSON(d3), 'E_FORMAT', /config\.lower must be true or false/);
    const d4 = doc();
    d4.config.analyzer = null;
    expectError(() => Tokenizer.fromJSON(d4), 'E_FORMAT', /config has an unknown field 'analyzer'/);
    const d5 = doc();
    d5.config.word_index = '{"a": 1, "b": 1}';
    expectError(() => Tokenizer.fromJSON(d5), 'E_FORMAT', /gives index 1 twice/);
  });
});

describe('bad input', () => {
  it('names the argument', () => {
    expectError(() => new Tokenizer({ num_words: 5 } as never), 'E_ARG', /unknown option 'num_words'/);
    expectError(() => new Tokenizer({ numWords: 0 }), 'E_ARG', /numWords must be an integer >= 1/);
    expectError(() => new Tokenizer({ split: '' }), 'E_ARG', /split must be a non-empty string/);
    expectError(() => new Tokenizer({ lower: 1 } as never), 'E_ARG', /lower must be true or false/);
    expectError(() => new Tokenizer().fitOnTexts(['a', 3] as never), 'E_ARG', /fitOnTexts: texts\[1\] must be a string/);
    expectError(() => new Tokenizer().fitOnTexts([['a', 3]] as never), 'E_ARG', /texts\[0\]\[1\] must be a string/);
    expectError(() => new Tokenizer().textsToSequences('abc' as never), 'E_ARG', /texts must be an array/);
    expectError(() => new Tokenizer().sequencesToTexts([5] as never), 'E_ARG', /sequences\[0\] must be an array of ids/);
  });

  it('a failed fit changes nothing', () => {
    const tok = new Tokenizer().fitOnTexts(['a b']);
    expectError(() => tok.fitOnTexts(['c d', null] as never), 'E_ARG', /texts\[1\]/);
    expect([...tok.wordIndex.keys()]).toEqual(['a', 'b']);
    expect(tok.documentCount).toBe(1);
  });
});
