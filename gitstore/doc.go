// Package gitstore keeps snapshots, whole directory trees of files, as commits on branches of a git repository and
// moves them to and from remotes. It knows branches, commits, trailers, tags and pushes, and nothing about Kong.
//
// Every snapshot replaces the whole tree at the root of its branch, so a branch's history is a sequence of complete
// states. The store never touches a working tree: it writes objects and references directly, which lets it share a
// repository with a checkout (for example a CI workspace) without disturbing it. Pushes never force a branch: when a
// remote branch moved because another run pushed first, the local snapshots are recommitted on top of it.
// Whatever a branch has that a remote lacks (snapshots committed while it was unreachable) goes out with the next
// push, with its tags; a tag a remote already has is never moved or overwritten.
//
// One process at a time reads or writes a repository: every operation holds an advisory lock on [LockFile] in the
// git directory, and [Store.Lock] holds it across several (a commit and its push). The operating system drops the
// lock of a process that dies, so a stale lock file is only reported, never waited for.
//
// A log branch (see [Store.AppendLog]) is the other kind: its commits add lines to append-only .jsonl files, and
// [Store.PushLog] merges a concurrent run's lines instead of recommitting over them, so no line is ever lost.
//
// [Retain] decides which snapshot tags a grandfather-father-son policy keeps; it is pure and does no git I/O.
package gitstore
