-- Full-text search (FTS5) over what people look for: post text, handles
-- and author names (from every snapshot and from the post itself), and
-- article URLs. The indexes read their text from the tables they index
-- (external content), so the text is not stored twice; triggers keep them
-- in step with every insert, update and delete.
-- `_` is part of a word, so a handle such as floodwatch_eu is one token.

CREATE VIRTUAL TABLE snapshot_search USING fts5(
    text, handle, author_name,
    content = 'snapshots', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
);
CREATE VIRTUAL TABLE post_search USING fts5(
    handle, author_name, post_url,
    content = 'posts', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
);
CREATE VIRTUAL TABLE article_search USING fts5(
    url,
    content = 'articles', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
);

CREATE TRIGGER snapshot_search_insert AFTER INSERT ON snapshots BEGIN
    INSERT INTO snapshot_search (rowid, text, handle, author_name)
    VALUES (NEW.id, NEW.text, NEW.handle, NEW.author_name);
END;
CREATE TRIGGER snapshot_search_delete AFTER DELETE ON snapshots BEGIN
    INSERT INTO snapshot_search (snapshot_search, rowid, text, handle, author_name)
    VALUES ('delete', OLD.id, OLD.text, OLD.handle, OLD.author_name);
END;
CREATE TRIGGER snapshot_search_update AFTER UPDATE OF text, handle, author_name ON snapshots BEGIN
    INSERT INTO snapshot_search (snapshot_search, rowid, text, handle, author_name)
    VALUES ('delete', OLD.id, OLD.text, OLD.handle, OLD.author_name);
    INSERT INTO snapshot_search (rowid, text, handle, author_name)
    VALUES (NEW.id, NEW.text, NEW.handle, NEW.author_name);
END;

CREATE TRIGGER post_search_insert AFTER INSERT ON posts BEGIN
    INSERT INTO post_search (rowid, handle, author_name, post_url)
    VALUES (NEW.id, NEW.handle, NEW.author_name, NEW.post_url);
END;
CREATE TRIGGER post_search_delete AFTER DELETE ON posts BEGIN
    INSERT INTO post_search (post_search, rowid, handle, author_name, post_url)
    VALUES ('delete', OLD.id, OLD.handle, OLD.author_name, OLD.post_url);
END;
CREATE TRIGGER post_search_update AFTER UPDATE OF handle, author_name, post_url ON posts BEGIN
    INSERT INTO post_search (post_search, rowid, handle, author_name, post_url)
    VALUES ('delete', OLD.id, OLD.handle, OLD.author_name, OLD.post_url);
    INSERT INTO post_search (rowid, handle, author_name, post_url)
    VALUES (NEW.id, NEW.handle, NEW.author_name, NEW.post_url);
END;

CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN
    INSERT INTO article_search (rowid, url) VALUES (NEW.id, NEW.url);
END;
CREATE TRIGGER article_search_delete AFTER DELETE ON articles BEGIN
    INSERT INTO article_search (article_search, rowid, url) VALUES ('delete', OLD.id, OLD.url);
END;
CREATE TRIGGER article_search_update AFTER UPDATE OF url ON articles BEGIN
    INSERT INTO article_search (article_search, rowid, url) VALUES ('delete', OLD.id, OLD.url);
    INSERT INTO article_search (rowid, url) VALUES (NEW.id, NEW.url);
END;

-- What the archive already holds.
INSERT INTO snapshot_search (snapshot_search) VALUES ('rebuild');
INSERT INTO post_search (post_search) VALUES ('rebuild');
INSERT INTO article_search (article_search) VALUES ('rebuild');
