"""Text folding: the fast `fold` gives exactly what NFKD over the whole text gives; `fold_words` also drops
punctuation, as the catalog's keys and the search boxes expect."""

import unicodedata

from sirbi.core.text import fold, fold_words


def folded_the_slow_way(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def test_fold_is_lower_case_without_diacritics_like_nfkd():
    samples = ["Biblioteca Pública", "SÃO PAULO", "N.º 3", "Ærø ½ ﬁ", "ΟΔΟΣ Σ", "İstanbul", "", "plain ascii", None]
    samples += ["".join(map(chr, range(start, start + 400))) for start in range(0x80, 0x3000, 400)]
    for text in samples:
        assert fold(text) == folded_the_slow_way(text), text


def test_fold_words_turns_punctuation_into_single_spaces():
    assert fold_words("Educación, 2.ª ed.") == "educacion 2 a ed"
    assert fold_words("  São   Paulo : Editora--Abril ") == "sao paulo editora abril"
    assert fold_words(None) == ""
