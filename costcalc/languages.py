"""Language codes: BCP-47 as used in corpora (`it`, `zh-Hans`, `pt-BR`), FLORES-200 codes mapped to them,
and English names for reports."""

from __future__ import annotations

import re

from costcalc.errors import UsageError

# FLORES-200 codes of the languages costcalc ships or users commonly bring; any other `xxx_Scrp` code maps
# to the equally valid BCP-47 `xxx-Scrp`.
FLORES_TO_BCP47 = {
    "eng_Latn": "en", "ita_Latn": "it", "deu_Latn": "de", "fra_Latn": "fr", "spa_Latn": "es", "por_Latn": "pt",
    "nld_Latn": "nl", "pol_Latn": "pl", "ron_Latn": "ro", "ces_Latn": "cs", "hun_Latn": "hu", "fin_Latn": "fi",
    "swe_Latn": "sv", "dan_Latn": "da", "nob_Latn": "nb", "ell_Grek": "el", "rus_Cyrl": "ru", "ukr_Cyrl": "uk",
    "bul_Cyrl": "bg", "srp_Cyrl": "sr", "hrv_Latn": "hr", "slk_Latn": "sk", "slv_Latn": "sl", "lit_Latn": "lt",
    "lvs_Latn": "lv", "est_Latn": "et", "cat_Latn": "ca", "tur_Latn": "tr", "arb_Arab": "ar", "heb_Hebr": "he",
    "pes_Arab": "fa", "urd_Arab": "ur", "hin_Deva": "hi", "mar_Deva": "mr", "ben_Beng": "bn", "tam_Taml": "ta",
    "tel_Telu": "te", "kan_Knda": "kn", "mal_Mlym": "ml", "guj_Gujr": "gu", "pan_Guru": "pa", "tha_Thai": "th",
    "vie_Latn": "vi", "ind_Latn": "id", "zsm_Latn": "ms", "tgl_Latn": "tl", "swh_Latn": "sw", "amh_Ethi": "am",
    "yor_Latn": "yo", "hau_Latn": "ha", "zho_Hans": "zh-Hans", "zho_Hant": "zh-Hant", "jpn_Jpan": "ja",
    "kor_Hang": "ko", "yue_Hant": "yue",
}

NAMES = {
    "en": "English", "it": "Italian", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "ro": "Romanian", "cs": "Czech", "hu": "Hungarian", "fi": "Finnish",
    "sv": "Swedish", "el": "Greek", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic",
    "he": "Hebrew", "hi": "Hindi", "zh-Hans": "Chinese (Simplified)", "zh-Hant": "Chinese (Traditional)",
    "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese", "sw": "Swahili", "id": "Indonesian", "th": "Thai",
    "da": "Danish", "nb": "Norwegian", "bg": "Bulgarian", "sr": "Serbian", "hr": "Croatian", "sk": "Slovak",
    "sl": "Slovenian", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "ca": "Catalan", "fa": "Persian",
    "ur": "Urdu", "mr": "Marathi", "bn": "Bengali", "ta": "Tamil", "te": "Telugu", "kn": "Kannada",
    "ml": "Malayalam", "gu": "Gujarati", "pa": "Punjabi", "ms": "Malay", "tl": "Tagalog", "am": "Amharic",
    "yo": "Yoruba", "ha": "Hausa", "yue": "Cantonese",
}

_BCP47 = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|\d{3}))?$")

ACCEPTED_FORMS = "BCP-47 (it, pt-BR, zh-Hans) or FLORES-200 (ita_Latn, zho_Hans)"


def normalize(code: str, *, where: str = "") -> str:
    """Canonical BCP-47 for a BCP-47 or FLORES-200 code: 'IT' -> 'it', 'zho_Hans' -> 'zh-Hans'."""
    if code in FLORES_TO_BCP47:
        return FLORES_TO_BCP47[code]
    match = _BCP47.match(code)
    if not match:
        place = f" ({where})" if where else ""
        raise UsageError(f"cannot read language code {code!r}{place}", f"use {ACCEPTED_FORMS}")
    lang, script, region = match.groups()
    parts = [lang.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def name(code: str) -> str:
    return NAMES.get(code, code)
