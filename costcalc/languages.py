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
    by_name = from_name(code)
    if not match or by_name:
        place = f" ({where})" if where else ""
        hint = f"did you mean: {', '.join(f'{c} ({NAMES[c]})' for c in by_name)}? " if by_name else ""
        raise UsageError(f"cannot read language code {code!r}{place}", f"{hint}use {ACCEPTED_FORMS}")
    lang, script, region = match.groups()
    parts = [lang.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def name(code: str) -> str:
    return NAMES.get(code, code)


def from_name(text: str) -> list[str]:
    """Codes whose English name matches `text` ('Italian' -> ['it'], 'chinese' -> ['zh-Hans', 'zh-Hant'])."""
    import difflib

    wanted = text.strip().lower()
    if len(wanted) < 4:
        return []
    exact = [c for c, n in NAMES.items() if n.lower() == wanted or n.lower().split(" (")[0] == wanted]
    if exact:
        return exact
    names = {n.lower(): c for c, n in NAMES.items()}
    return [names[n] for n in difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.8)]


def suggest(code: str, available: list[str] | tuple[str, ...]) -> str:
    """'did you mean: zh-Hans?' for 'zh' (same language, another script or region), else the closest codes."""
    from costcalc.errors import closest

    primary = code.split("-")[0].lower()
    same = [c for c in available if c.split("-")[0].lower() == primary and c != code]
    if same:
        return f"did you mean: {', '.join(f'{c} ({name(c)})' for c in same)}?"
    return closest(code, available)
