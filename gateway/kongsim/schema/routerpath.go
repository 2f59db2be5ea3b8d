package schema

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2"
	"github.com/dlclark/regexp2/syntax"
)

// validRouterPath is typedefs.router_path's validate_path_with_regexes (kong/db/schema/typedefs.lua): a bad
// percent escape is refused; a prefix path must be in the normal form kong.tools.uri.normalize gives it (merging
// slashes); a regex path (~/...) must compile as the router compiles it, with PCRE. Go's RE2 parser refuses valid
// PCRE (lookarounds, backreferences, atomic groups), so the check uses regexp2, whose syntax is Perl's.
func validRouterPath(v any) string {
	s, _ := v.(string)
	if msg := validPath(s); strings.HasPrefix(msg, "invalid url-encoded value") {
		return msg
	}
	if !strings.HasPrefix(s, "~") {
		if normal := normalizeURI(s, true); normal != s {
			return "non-normalized path, consider use '" + normal + "' instead"
		}
		return ""
	}
	re := s[1:]
	if _, err := regexp2.Compile(re, regexp2.None); err != nil {
		return fmt.Sprintf("invalid regex: '%s' (PCRE returned: pcre2_compile() failed: %s in %q)", re, pcreMessage(err), re)
	}
	return ""
}

// pcreMessages are PCRE2's words for the syntax errors regexp2 reports.
var pcreMessages = map[syntax.ErrorCode]string{
	syntax.ErrMissingParen:          "missing closing parenthesis",
	syntax.ErrUnexpectedParen:       "unmatched closing parenthesis",
	syntax.ErrUnterminatedBracket:   "missing terminating ] for character class",
	syntax.ErrMissingRepeatArgument: "quantifier does not follow a repeatable item",
	syntax.ErrInvalidRepeatOp:       "quantifier does not follow a repeatable item",
	syntax.ErrReversedCharRange:     "range out of order in character class",
	syntax.ErrInvalidRepeatSize:     "numbers out of order in {} quantifier",
	syntax.ErrIllegalEndEscape:      "\\ at end of pattern",
	syntax.ErrUnrecognizedGrouping:  "unrecognized character after (? or (?-",
}

func pcreMessage(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		if msg, ok := pcreMessages[se.Code]; ok {
			return msg
		}
		return string(se.Code)
	}
	return err.Error()
}

// uriReserved are RFC 3986's reserved characters, which normalisation leaves percent-encoded.
const uriReserved = "!*'();:@&=+$,/?%#[]"

var percentTriplet = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// normalizeURI is kong.tools.uri.normalize: percent-encoded unreserved and other characters are decoded,
// reserved ones upper-cased; dot segments are removed (RFC 3986 5.2.4) and, with mergeSlashes, runs of slashes
// merged.
func normalizeURI(uri string, mergeSlashes bool) string {
	if uri == "" || uri == "/" {
		return uri
	}
	if strings.Contains(uri, "%") {
		uri = percentTriplet.ReplaceAllStringFunc(uri, func(m string) string {
			n, _ := strconv.ParseUint(m[1:], 16, 8)
			if strings.IndexByte(uriReserved, byte(n)) >= 0 {
				return strings.ToUpper(m)
			}
			return string(rune(n))
		})
	}
	if !strings.Contains(uri, ".") && (!mergeSlashes || !strings.Contains(uri, "//")) {
		return uri
	}
	var out []string
	for len(uri) > 0 {
		switch {
		case uri == "/.":
			uri = "/"
		case uri == "/..":
			uri = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case uri == "." || uri == "..":
			uri = ""
		case strings.HasPrefix(uri, "../"):
			uri = uri[3:]
		case strings.HasPrefix(uri, "./"):
			uri = uri[2:]
		case strings.HasPrefix(uri, "/./"):
			uri = uri[2:]
		case strings.HasPrefix(uri, "/../"):
			uri = uri[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case mergeSlashes && strings.HasPrefix(uri, "//"):
			uri = uri[1:]
		default:
			i := strings.IndexByte(uri[1:], '/')
			if i < 0 {
				out = append(out, uri)
				uri = ""
			} else {
				out = append(out, uri[:i+1])
				uri = uri[i+1:]
			}
		}
	}
	return strings.Join(out, "")
}
