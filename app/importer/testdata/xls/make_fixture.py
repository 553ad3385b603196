#!/usr/bin/python3
# Writes loanbook.xls, the Excel 97-2003 fixture of the importer's tests, with xlwt 1.3.0
# (Debian 12: apt install python3-xlwt; run: /usr/bin/python3 make_fixture.py). xlwt writes
# BIFF8 as Excel 97-2003 and WPS do: a compound file with a shared string table, numbers
# as NUMBER/RK records and dates as serial numbers with a date format. Every value is
# synthetic: the identity numbers are made up with valid check digits, nobody's.
#
# What the file exercises:
#   客户信息: a title row and a blank row before the header; a customer number column;
#             one identity number typed as a number (its last digits lost, as Excel does);
#   贷款台账: 借据号 and 客户编号 as the link, 放款日期 as Excel serial dates;
#   还款流水: one amount column (还款金额) and a 合计 row whose total matches.
#
# loanbook-libreoffice.xls is loanbook.xls opened and saved again by LibreOffice 7.4.7
# (Debian 12: soffice --headless --convert-to 'xls:MS Excel 97' loanbook.xls), a second
# writer with records of its own (MULRK, CONTINUE, different shared strings).
import xlwt

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"

def idno(body):
    return body + C[sum(int(d) * w for d, w in zip(body, W)) % 11]

wb = xlwt.Workbook(encoding="utf-8")
date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
money = xlwt.easyxf(num_format_str="#,##0.00")

cs = wb.add_sheet("客户信息")
cs.write_merge(0, 0, 0, 4, "某某小额贷款有限公司客户信息表（截至2024年12月31日）")
header = ["客户编号", "客户姓名", "身份证号", "手机号码", "联系地址"]
for i, h in enumerate(header):
    cs.write(2, i, h)
customers = [
    ("KH0001", "张伟", idno("11010119800101123"), "13800138000", "北京市东城区人民路1号"),
    ("KH0002", "李娜", idno("31010119850505224"), "13900139000", "上海市黄浦区中山路2号"),
    ("KH0003", "王芳", idno("44030519900909332"), "13700137000", "广东省深圳市南山区建设路3号"),
]
for r, c in enumerate(customers):
    for i, v in enumerate(c):
        cs.write(3 + r, i, v)
# Typed as a number: Excel keeps 15 significant digits, so the last three become 0.
cs.write(6, 0, "KH0004")
cs.write(6, 1, "赵强")
cs.write(6, 2, float(int(idno("37010219750303441")[:15]) * 1000))
cs.write(6, 3, 13600136000)

ls = wb.add_sheet("贷款台账")
for i, h in enumerate(["借据号", "客户编号", "借款金额（元）", "放款日期", "到期日期", "五级分类"]):
    ls.write(0, i, h)
loans = [("JJ-2024-001", "KH0001", 50000, 45306, 45671, "正常"),   # 2024-01-15 .. 2025-01-14
         ("JJ-2024-002", "KH0002", 12345.67, 45352, 45716, "关注"),
         ("JJ-2024-003", "KH0003", 80000, 45397, 45762, "正常")]
for r, l in enumerate(loans):
    ls.write(1 + r, 0, l[0])
    ls.write(1 + r, 1, l[1])
    ls.write(1 + r, 2, l[2], money)
    ls.write(1 + r, 3, l[3], date)
    ls.write(1 + r, 4, l[4], date)
    ls.write(1 + r, 5, l[5])

rs = wb.add_sheet("还款流水")
for i, h in enumerate(["借据号", "还款日期", "还款金额"]):
    rs.write(0, i, h)
reps = [("JJ-2024-001", 45337, 4500), ("JJ-2024-001", 45366, 4500.5),
        ("JJ-2024-002", 45383, 1100.01), ("JJ-2024-003", 45427, 7200)]
for r, p in enumerate(reps):
    rs.write(1 + r, 0, p[0])
    rs.write(1 + r, 1, p[1], date)
    rs.write(1 + r, 2, p[2], money)
rs.write(1 + len(reps), 0, "合计")
rs.write(1 + len(reps), 2, 17300.51, money)  # as the old system printed it

wb.save("loanbook.xls")

# continue.xls: enough distinct strings that the shared string table spans many CONTINUE
# records, with strings that switch between Latin (stored one byte a character) and Chinese
# (two bytes) so that some are cut at a record boundary. The test rebuilds the values with
# the same formulas.
big = xlwt.Workbook(encoding="utf-8")
sh = big.add_sheet("长文本")
for i, h in enumerate(["编号", "文本"]):
    sh.write(0, i, h)
for i in range(1, 3001):
    if i % 3 == 0:
        text = "address line %d " % i * 3
    else:
        text = "".join(chr(0x4E00 + (i * 7 + k) % 20000) for k in range(i % 17 + 3))
    sh.write(i, 0, i)
    sh.write(i, 1, text)
big.save("continue.xls")

# gbk-sheetname.xls: some Chinese generators write BIFF8 with its 8-bit strings in code page
# 936 (GBK) instead of Unicode, and say so in the CODEPAGE record. xlwt always writes
# Unicode, so the sheet is written with a placeholder name of the same byte length, which is
# then replaced by the GBK bytes of 客户信息, and CODEPAGE 1200 (UTF-16) by 936.
g = xlwt.Workbook(encoding="utf-8")
gs = g.add_sheet("QQQQQQQQ")
for i, h in enumerate(["姓名", "身份证号", "开户日期"]):
    gs.write(0, i, h)
gs.write(1, 0, "张伟")
gs.write(1, 1, idno("11010119800101123"))
gs.write(1, 2, 45306, date)
gs.write(2, 0, "李娜")
gs.write(2, 1, float(int(idno("37010219750303441")[:15]) * 1000))
gs.write(2, 2, 45352, date)
g.save("gbk-sheetname.xls")
b = open("gbk-sheetname.xls", "rb").read()
assert b.count(b"QQQQQQQQ") == 1 and b.count(b"\x42\x00\x02\x00\xb0\x04") == 1
b = b.replace(b"QQQQQQQQ", "客户信息".encode("gbk")).replace(b"\x42\x00\x02\x00\xb0\x04", b"\x42\x00\x02\x00\xa8\x03")
open("gbk-sheetname.xls", "wb").write(b)
