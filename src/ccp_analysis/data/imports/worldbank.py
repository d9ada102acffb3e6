"""The OECD/IMF CNY per USD series from the World Bank's WDI bulk CSV of PA.NUS.FCRF.

PA.NUS.FCRF ("Official exchange rate, LCU per US$, period average") is the IMF IFS annual
average that the OECD also publishes (data/raw/market/SOURCES.md section 3). The bulk CSV
(API_PA.NUS.FCRF_DS2_en_csv_v2_*.csv, alone or in the zip the World Bank serves) has a short
preamble ("Data Source", "Last Updated Date"), then one row per country with a column per year.
China's row (Country Code CHN), rounded to 4 decimals, gives `oecd_imf_annual_avg`; each value
taken gets the import's --status as its `oecd_imf_status`.
"""

from __future__ import annotations

import csv
import io

from ccp_analysis.data.imports import table
from ccp_analysis.data.imports.incoming import Incoming, Options
from ccp_analysis.data.imports.table import Row
from ccp_analysis.errors import InputError

INDICATOR = "PA.NUS.FCRF"
COUNTRY = "CHN"
URL = f"https://api.worldbank.org/v2/en/indicator/{INDICATOR}?downloadformat=csv"


def unpack(data: bytes, shown: str) -> tuple[bytes, str]:
    """The API_PA.NUS.FCRF_*.csv inside the World Bank's zip (or the bytes as they are)."""
    return table.unpack(data, shown, lambda name: name.startswith(f"API_{INDICATOR}"),
                        f"one API_{INDICATOR}_*.csv")


def read(data: bytes, shown: str, options: Options, first_year: int) -> Incoming:
    data, shown = unpack(data, shown)
    text = table.decode(data, shown)
    skip = 0
    for record in csv.reader(io.StringIO(text, newline="")):
        if record and record[0].strip() == "Country Name":
            break
        skip += 1
    else:
        raise InputError(shown, None, "Country Name", "", "the World Bank bulk CSV of "
                         f"{INDICATOR}: a header row starting with \"Country Name\"")
    header, rows = table.parse(text, shown, skip=skip, final_newline=False)
    china = [r for r in rows if r.values.get("Country Code", "").strip() == COUNTRY]
    if len(china) != 1:
        raise InputError(shown, None, "Country Code", COUNTRY,
                         f"exactly one row for China ({COUNTRY}); found {len(china)}")
    row = china[0]
    code = row.values.get("Indicator Code", "").strip()
    if code != INDICATOR:
        raise InputError(row.file, row.line, "Indicator Code", code, INDICATOR)
    status = options.status or f"World Bank WDI {INDICATOR}"
    incoming_rows = []
    for column in header:
        if not (column.isdigit() and len(column) == 4) or int(column) < first_year:
            continue
        value = row.values[column].strip()
        if value == "":
            continue  # no value published for that year yet
        try:
            number = float(value)
        except ValueError:
            raise InputError(row.file, row.line, column, value, "a rate (a number)") from None
        incoming_rows.append(Row({"year": column, "oecd_imf_annual_avg": f"{number:.4f}",
                                  "oecd_imf_status": status}, row.file, row.line))
    if not incoming_rows:
        raise InputError(row.file, row.line, None, "", f"a value for a year from {first_year}")
    return Incoming("worldbank", incoming_rows, ["year", "oecd_imf_annual_avg", "oecd_imf_status"],
                    ["oecd_imf_annual_avg"], derived={"oecd_imf_status": status})
