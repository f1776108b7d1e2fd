#!/usr/bin/env bats
# nk http against broken and hostile servers: each case in
# tests/servers/cases/NAME.case is the exact bytes the scripted server
# sends, the exit status nk must have and the exact body it must write.
load ../lib/common
load ../lib/http

@test "raw: every case file has its test below" {
	local want got
	want=$(cd "$SERVERS_DIR/cases" && ls -- *.case | sed 's/\.case$//')
	got=$(sed -n 's/^\traw_case //p' "$BATS_TEST_FILENAME")
	[ "$want" = "$got" ]
}

@test "raw bad-status-line" {
	raw_case bad-status-line
}

@test "raw chunked-bad-size" {
	raw_case chunked-bad-size
}

@test "raw chunked-ext-trailers" {
	raw_case chunked-ext-trailers
}

@test "raw chunked-hex-case" {
	raw_case chunked-hex-case
}

@test "raw chunked-missing-crlf" {
	raw_case chunked-missing-crlf
}

@test "raw chunked-overflow" {
	raw_case chunked-overflow
}

@test "raw chunked-split" {
	raw_case chunked-split
}

@test "raw chunked-truncated-data" {
	raw_case chunked-truncated-data
}

@test "raw chunked-truncated-size" {
	raw_case chunked-truncated-size
}

@test "raw chunked-truncated-trailer" {
	raw_case chunked-truncated-trailer
}

@test "raw chunked-truncated" {
	raw_case chunked-truncated
}

@test "raw chunked" {
	raw_case chunked
}

@test "raw cl-conflict" {
	raw_case cl-conflict
}

@test "raw cl-dup-same" {
	raw_case cl-dup-same
}

@test "raw cl-invalid" {
	raw_case cl-invalid
}

@test "raw cl-list-conflict" {
	raw_case cl-list-conflict
}

@test "raw cl-list-same" {
	raw_case cl-list-same
}

@test "raw cl-negative" {
	raw_case cl-negative
}

@test "raw cl-ok" {
	raw_case cl-ok
}

@test "raw cl-overflow" {
	raw_case cl-overflow
}

@test "raw cl-plus" {
	raw_case cl-plus
}

@test "raw cl-short" {
	raw_case cl-short
}

@test "raw cl-space-inside" {
	raw_case cl-space-inside
}

@test "raw cl-zero" {
	raw_case cl-zero
}

@test "raw close-delimited" {
	raw_case close-delimited
}

@test "raw continue-100" {
	raw_case continue-100
}

@test "raw deflate-raw" {
	raw_case deflate-raw
}

@test "raw deflate-zlib" {
	raw_case deflate-zlib
}

@test "raw early-hints-103" {
	raw_case early-hints-103
}

@test "raw empty-reply" {
	raw_case empty-reply
}

@test "raw encoding-unknown" {
	raw_case encoding-unknown
}

@test "raw fail-404" {
	raw_case fail-404
}

@test "raw fail-with-body" {
	raw_case fail-with-body
}

@test "raw gzip-corrupt" {
	raw_case gzip-corrupt
}

@test "raw gzip-not-asked" {
	raw_case gzip-not-asked
}

@test "raw gzip-truncated" {
	raw_case gzip-truncated
}

@test "raw gzip" {
	raw_case gzip
}

@test "raw head-no-body" {
	raw_case head-no-body
}

@test "raw head-too-large" {
	raw_case head-too-large
}

@test "raw header-line-at-limit" {
	raw_case header-line-at-limit
}

@test "raw header-line-too-long" {
	raw_case header-line-too-long
}

@test "raw http10" {
	raw_case http10
}

@test "raw junk-after-body" {
	raw_case junk-after-body
}

@test "raw lf-only" {
	raw_case lf-only
}

@test "raw max-filesize-announced" {
	raw_case max-filesize-announced
}

@test "raw max-filesize-at-limit" {
	raw_case max-filesize-at-limit
}

@test "raw max-filesize-unannounced" {
	raw_case max-filesize-unannounced
}

@test "raw never-answers" {
	raw_case never-answers
}

@test "raw no-content-204" {
	raw_case no-content-204
}

@test "raw no-fail-404" {
	raw_case no-fail-404
}

@test "raw not-http" {
	raw_case not-http
}

@test "raw not-modified-304" {
	raw_case not-modified-304
}

@test "raw nul-in-header" {
	raw_case nul-in-header
}

@test "raw obs-fold" {
	raw_case obs-fold
}

@test "raw redirect-bad-location" {
	raw_case redirect-bad-location
}

@test "raw redirect-not-followed" {
	raw_case redirect-not-followed
}

@test "raw reset-before-reply" {
	raw_case reset-before-reply
}

@test "raw reset-mid-body" {
	raw_case reset-mid-body
}

@test "raw retry-503" {
	raw_case retry-503
}

@test "raw retry-empty" {
	raw_case retry-empty
}

@test "raw retry-exhausted" {
	raw_case retry-exhausted
}

@test "raw retry-not-transient" {
	raw_case retry-not-transient
}

@test "raw space-before-colon" {
	raw_case space-before-colon
}

@test "raw stalled-body" {
	raw_case stalled-body
}

@test "raw status-no-reason" {
	raw_case status-no-reason
}

@test "raw switching-101" {
	raw_case switching-101
}

@test "raw te-and-cl" {
	raw_case te-and-cl
}

@test "raw te-gzip-chunked" {
	raw_case te-gzip-chunked
}

@test "raw te-unknown" {
	raw_case te-unknown
}

@test "raw trickle-max-time" {
	raw_case trickle-max-time
}

@test "raw trickle-ok" {
	raw_case trickle-ok
}

@test "raw truncated-after-head" {
	raw_case truncated-after-head
}

@test "raw truncated-head" {
	raw_case truncated-head
}

@test "raw truncated-status" {
	raw_case truncated-status
}
