import { describe, expect, it } from 'vitest';
import { CIRCULAR_TAGS, INDEX_PAGE_TAGS, MAIL_TAGS, renderTags, tagErrors, tagsIn, unknownTags } from '../../../shared/domain/tags';

describe('tag module', () => {
  it('finds each tag once and tells the unknown ones per set', () => {
    expect(tagsIn('##a## ##b## ##a## # ## x ##')).toEqual(['a', 'b']);
    expect(unknownTags('##user## ##username##', INDEX_PAGE_TAGS)).toEqual(['username']);
    expect(unknownTags('##password##', CIRCULAR_TAGS)).toEqual(['password']);
    expect(unknownTags('##password##', MAIL_TAGS)).toEqual([]);
  });
  it('names each field with its unknown tags', () => {
    expect(tagErrors({ subject: '##firstName##', text: '##nope## ##x1##', other: undefined }, MAIL_TAGS)).toEqual({
      text: expect.stringMatching(/^unknown tags ##nope##, ##x1##; known: ##username##/),
    });
  });
  it('replaces only known tags', () => {
    expect(renderTags('##user## ##username##', { user: 'web1' }, INDEX_PAGE_TAGS)).toBe('web1 ##username##');
  });
});
