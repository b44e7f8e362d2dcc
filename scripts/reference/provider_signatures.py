"""Callback signatures made by the providers' own SDKs, for the tests of SMSStats' checks.

Reads a JSON array of cases (file given as the only argument) and prints a JSON array with one
signature object per case, in order:
- {"scheme": "plivo-v3", "method", "uri", "params": {..}, "nonce", "key"}
    -> {"signature"} from plivo.utils.signature_v3 (get_signature_v3 over construct_get_url /
       construct_post_url), checked with the SDK's validate_v3_signature.
- {"scheme": "vonage-sig", "params": {..}, "key", "method": "md5"|"sha1"|"sha256"|"sha512"}
    -> {"sig"} from vonage_http_client.Auth.sign_params, checked with Auth.check_signature.
- {"scheme": "vonage-md5hash", "params": {..}, "key"}
    -> {"sig"}: MD5 of the signed text followed by the secret (Vonage's "Signing messages",
       md5hash; the 4.x SDK only makes the HMAC variants).
- {"scheme": "vonage-jwt", "claims": {..}, "body", "key"}
    -> {"jwt"}: HS256 JWT (PyJWT, the SDK's dependency) with payload_hash = hex SHA-256 of the
       body, checked with vonage_jwt.verify_signature.
- {"scheme": "twilio", "uri", "pairs": [[name, value], ..], "key"}
    -> {"signature"} from twilio.request_validator.RequestValidator.compute_signature over the
       form fields as a multi-dict (a repeated name keeps all its values, as Flask's MultiDict),
       checked with the validator's validate.
- {"scheme": "sinch", "body", "nonce", "timestamp", "key"}
    -> {"signature"}: base64 HMAC-SHA256 of body "." nonce "." timestamp (Sinch's documented
       scheme; no SDK of it is installed).
"""
import base64
import hashlib
import hmac
import json
import sys

import jwt
from plivo.utils.signature_v3 import construct_get_url, construct_post_url, get_signature_v3, validate_v3_signature
from twilio.request_validator import RequestValidator
from vonage_http_client.auth import Auth
from vonage_jwt.verify_jwt import verify_signature


def plivo(case):
    params = dict(case["params"])
    if case["method"] == "GET":
        base = construct_get_url(case["uri"], dict(params))
    else:
        base = construct_post_url(case["uri"], dict(params))
    sig = get_signature_v3(case["key"].encode(), base.decode("utf-8"), case["nonce"].encode()).decode()
    assert validate_v3_signature(case["method"], case["uri"], case["nonce"], case["key"], sig, dict(params))
    return {"signature": sig}


def vonage_sig(case):
    auth = Auth(api_key="key", signature_secret=case["key"], signature_method=case["method"])
    sig = auth.sign_params(dict(case["params"]))
    assert auth.check_signature(dict(case["params"], sig=sig))
    return {"sig": sig}


def vonage_md5hash(case):
    text = "".join("&{}={}".format(k, str(v).replace("&", "_").replace("=", "_")) for k, v in sorted(case["params"].items()))
    return {"sig": hashlib.md5((text + case["key"]).encode()).hexdigest()}


def vonage_jwt(case):
    claims = dict(case["claims"])
    claims["payload_hash"] = hashlib.sha256(case["body"].encode()).hexdigest()
    token = jwt.encode(claims, case["key"], algorithm="HS256")
    assert verify_signature(token, case["key"])
    return {"jwt": token}


class MultiDict(dict):
    """Form fields with every value of a repeated name (the `getall` Twilio's validator asks for)."""

    def __init__(self, pairs):
        super().__init__()
        self.pairs = [tuple(p) for p in pairs]
        for name, value in self.pairs:
            self.setdefault(name, value)

    def getall(self, name):
        return [v for n, v in self.pairs if n == name]


def twilio(case):
    validator = RequestValidator(case["key"])
    params = MultiDict(case["pairs"])
    sig = validator.compute_signature(case["uri"], params)
    assert validator.validate(case["uri"], params, sig)
    return {"signature": sig}


def sinch(case):
    text = "{}.{}.{}".format(case["body"], case["nonce"], case["timestamp"]).encode()
    return {"signature": base64.b64encode(hmac.new(case["key"].encode(), text, hashlib.sha256).digest()).decode()}


SCHEMES = {"plivo-v3": plivo, "vonage-sig": vonage_sig, "vonage-md5hash": vonage_md5hash, "vonage-jwt": vonage_jwt, "sinch": sinch, "twilio": twilio}

with open(sys.argv[1]) as f:
    cases = json.load(f)
print(json.dumps([SCHEMES[c["scheme"]](c) for c in cases]))
