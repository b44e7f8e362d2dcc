#!/usr/bin/env python3
"""Writes the phone-number metadata SMSCore reads (Sources/SMSCore/Resources/phone-metadata.json)
from Google's libphonenumber metadata as shipped by the PyPI package `phonenumbers` (the Python
port generates its data modules from libphonenumber's resources/PhoneNumberMetadata.xml and uses
the same version numbers).

Usage: phone_metadata_json.py OUTPUT.json   (with the wanted `phonenumbers` importable, e.g. via
PYTHONPATH=<unpacked wheel>; scripts/update_phone_metadata.sh does this).

Only the fields validation and E.164 normalisation need are kept: country calling code and the
regions sharing it (main region first, the order libphonenumber tries them in), international
prefix, national prefix, national prefix for parsing and its transform rule, leading digits, the
general description and each number type's national-number pattern, possible lengths (and the
general description's local-only lengths), and each type's example number (the tests build their
corpus from them). Formatting rules, carrier, geocoding and short-number data are left out.
"""
import json
import sys

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

# libphonenumber's PhoneNumberType order of `_number_type_helper` (premium rate first, mobile last).
TYPES = [
    ("premiumRate", "premium_rate"),
    ("tollFree", "toll_free"),
    ("sharedCost", "shared_cost"),
    ("voip", "voip"),
    ("personalNumber", "personal_number"),
    ("pager", "pager"),
    ("uan", "uan"),
    ("voicemail", "voicemail"),
    ("fixedLine", "fixed_line"),
    ("mobile", "mobile"),
]


def lengths(values):
    return [n for n in (values or ()) if n >= 0]


def desc(d, general=False):
    if d is None or not d.national_number_pattern:
        return None
    out = {"pattern": d.national_number_pattern, "lengths": lengths(d.possible_length)}
    if general:
        local = lengths(d.possible_length_local_only)
        if local:
            out["localLengths"] = local
    elif d.example_number:
        out["example"] = d.example_number
    return out


def territory(m):
    t = {"id": m.id, "countryCode": m.country_code}
    for key, value in [
        ("internationalPrefix", m.international_prefix),
        ("nationalPrefix", m.national_prefix),
        ("nationalPrefixForParsing", m.national_prefix_for_parsing),
        ("nationalPrefixTransformRule", m.national_prefix_transform_rule),
        ("leadingDigits", m.leading_digits),
    ]:
        if value:
            t[key] = value
    if m.main_country_for_code:
        t["mainCountryForCode"] = True
    general = desc(m.general_desc, general=True)
    if general is not None:
        t["generalDesc"] = general
    types = {}
    for key, attr in TYPES:
        d = desc(getattr(m, attr))
        if d is not None:
            types[key] = d
    t["types"] = types
    return t


def main(out_path):
    regions = {}
    for code in sorted(phonenumbers.SUPPORTED_REGIONS):
        regions[code] = territory(PhoneMetadata.metadata_for_region(code))
    non_geo = {}
    for cc in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        non_geo[str(cc)] = territory(PhoneMetadata.metadata_for_nongeo_region(cc))
    by_code = {str(cc): list(rs) for cc, rs in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items())}
    doc = {
        "version": phonenumbers.__version__,
        "source": "libphonenumber resources/PhoneNumberMetadata.xml, as generated into the PyPI package phonenumbers",
        "licence": "Apache-2.0",
        "countryCodeToRegions": by_code,
        "regions": regions,
        "nonGeographic": non_geo,
    }
    # One region per line, so that a refresh's diff shows which regions changed.
    def compact(value):
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    def block(entries):
        return "{\n" + ",\n".join(f"{compact(k)}:{compact(v)}" for k, v in entries.items()) + "\n}"

    head = {k: v for k, v in doc.items() if k not in ("countryCodeToRegions", "regions", "nonGeographic")}
    parts = [f"{compact(k)}:{compact(v)}" for k, v in head.items()]
    parts += [f'"{k}":{block(doc[k])}' for k in ("countryCodeToRegions", "regions", "nonGeographic")]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(parts) + "\n}\n")
    print(f"phonenumbers {phonenumbers.__version__}: {len(regions)} regions, {len(non_geo)} non-geographic codes, "
          f"{len(by_code)} country calling codes")


if __name__ == "__main__":
    main(sys.argv[1])
