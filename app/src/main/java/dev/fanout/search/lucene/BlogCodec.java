package dev.fanout.search.lucene;

import org.apache.lucene.codecs.PostingsFormat;
import org.apache.lucene.codecs.bloom.BloomFilteringPostingsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene912.Lucene912PostingsFormat;

/**
 * Lucene's default codec, with a Bloom filter on the blog id field: every write looks its blog's stored
 * version up in every segment, and almost every look-up is for a blog no segment holds (a new blog); the
 * filter answers most of those without reading the segment's terms. Segments keep the codec's name, and
 * record the id field's postings format by its name ({@code BloomFilter}, found through
 * {@code lucene-codecs}' service entry), so an index written with or without it reads either way.
 */
final class BlogCodec extends Lucene912Codec {

  private final PostingsFormat ids = new BloomFilteringPostingsFormat(new Lucene912PostingsFormat());

  @Override
  public PostingsFormat getPostingsFormatForField(String field) {
    return BlogDocuments.BLOG_ID.equals(field) ? ids : super.getPostingsFormatForField(field);
  }
}
