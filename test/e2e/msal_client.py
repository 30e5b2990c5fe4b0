"""A real WS-Trust client not written here: Microsoft MSAL for Python (Debian python3-msal).

Fetches our MEX, lets msal choose the username/password endpoint, sends msal's own
RequestSecurityToken to our STS and prints one JSON line with what it got. TLS trust comes from
REQUESTS_CA_BUNDLE (the reference IdP's CA). Usage: msal_client.py MEX_URL USERNAME URN < password
"""
import json
import sys

import requests
from msal import mex, wstrust_request

mex_url, username, urn = sys.argv[1], sys.argv[2], sys.argv[3]
password = sys.stdin.read().rstrip("\n")
session = requests.Session()
endpoint = mex.send_request(mex_url, session)
if endpoint is None:
    print(json.dumps({"error": "msal found no username/password endpoint"}))
    sys.exit(2)
try:
    result = wstrust_request.send_request(username, password, urn, endpoint["address"], endpoint["action"], session)
except RuntimeError as e:  # msal raises RuntimeError for a fault
    print(json.dumps({"endpoint": endpoint, "error": str(e)[:200]}))
    sys.exit(1)
token = result["token"]
print(json.dumps({"endpoint": endpoint, "type": result["type"], "token": token.decode("utf-8") if isinstance(token, bytes) else token}))
