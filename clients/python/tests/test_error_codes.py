"""The package's error codes are the server's: the same list as src/core/errors.ts (in its
order) and docs/errors.md, nothing more, nothing less (as test/sdk/error-codes.test.ts pins the
TypeScript SDK's)."""

import re

from inboxd import CLIENT_ERROR_CODES, ERROR_CODES


def server_codes(repo):
    source = (repo / "src/core/errors.ts").read_text()
    block = re.search(r"export const ERROR_CODES = \[(.*?)\] as const", source, re.S)
    assert block, "ERROR_CODES not found in src/core/errors.ts"
    return re.findall(r"'([a-z_]+)'", block.group(1))


def test_lists_exactly_the_server_registry_in_its_order(repo):
    assert list(ERROR_CODES) == server_codes(repo)


def test_lists_exactly_the_documented_codes(repo):
    doc = (repo / "docs/errors.md").read_text()
    documented = re.findall(r"^\| `([a-z_]+)` \| \d{3} \|", doc, re.M)
    assert sorted(ERROR_CODES) == sorted(documented)


def test_client_codes_never_clash_with_server_codes():
    assert not set(CLIENT_ERROR_CODES) & set(ERROR_CODES)
