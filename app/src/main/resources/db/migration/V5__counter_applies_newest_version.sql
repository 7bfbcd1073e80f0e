-- The counter applies a blog's events by version, not by arrival: per blog, the newest version it applied
-- and whether the blog was live at that version. An event changes its author's count only when its version
-- is newer, by the difference in liveness, so late, replayed and repeated events end at the same count.
create table counted_blogs (
    blog_id     uuid     primary key,
    author_id   text     not null,
    version     integer  not null,
    live        boolean  not null,
    -- what the last applied event did to the author's count (-1, 0 or 1): the statement that applies an
    -- event reads it back, as PostgreSQL before 18 cannot return a row's values from before an update
    last_change smallint not null
);

-- The counter kept no versions until now, so it starts from the blogs table, the truth: every event still
-- in flight is no newer than its blog's row and changes nothing, and each count is the author's live blogs.
insert into counted_blogs (blog_id, author_id, version, live, last_change)
select blog_id, author_id, version, not deleted, 0 from blogs;
update author_stats set blog_count = 0 where blog_count <> 0;
insert into author_stats (author_id, blog_count)
select author_id, count(*) filter (where not deleted) from blogs group by author_id
on conflict (author_id) do update set blog_count = excluded.blog_count;
