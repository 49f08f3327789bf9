"""Text normalisation shared by training and parsing.

Full-width to half-width, traditional to simplified Chinese (a compact built-in map of common characters,
no download), emoji removal, collapsed punctuation and lower case.
"""

from __future__ import annotations

import re
import unicodedata

# Pairs "traditional simplified", space-separated. Covers the characters homeowners actually type about
# homes, repairs, fees and complaints, plus the most frequent function characters.
_T2S_PAIRS = """
愛爱 礙碍 骯肮 襖袄 壩坝 擺摆 敗败 頒颁 辦办 綁绑 幫帮 寶宝 報报 備备 貝贝 筆笔 畢毕 閉闭 邊边 編编
變变 標标 錶表 別别 賓宾 餅饼 撥拨 補补 蔔卜 財财 採采 參参 殘残 慘惨 蠶蚕 倉仓 艙舱 廁厕 測测 層层
產产 長长 場场 嘗尝 廠厂 暢畅 車车 徹彻 塵尘 陳陈 襯衬 稱称 懲惩 誠诚 遲迟 齒齿 衝冲 蟲虫 醜丑 籌筹
處处 觸触 傳传 窗窗 創创 錘锤 純纯 詞词 辭辞 從从 叢丛 竄窜 錯错 達达 帶带 貸贷 單单 擔担 膽胆 當当
擋挡 黨党 導导 燈灯 鄧邓 敵敌 遞递 點点 電电 殿殿 墊垫 釣钓 調调 疊叠 頂顶 訂订 東东 動动 凍冻 棟栋
鬥斗 獨独 讀读 斷断 對对 隊队 噸吨 頓顿 奪夺 鵝鹅 額额 兒儿 爾尔 發发 罰罚 閥阀 礬矾 飯饭 範范 訪访
紡纺 飛飞 廢废 費费 紛纷 墳坟 奮奋 憤愤 糞粪 豐丰 鳳凤 膚肤 婦妇 復复 複复 負负 覆覆 該该 蓋盖 乾干
幹干 趕赶 剛刚 鋼钢 崗岗 綱纲 搞搞 鎬镐 個个 給给 鞏巩 溝沟 構构 購购 夠够 顧顾 颳刮 關关 觀观 館馆
管管 慣惯 廣广 規规 櫃柜 貴贵 過过 國国 鍋锅 還还 漢汉 號号 閤合 賀贺 轟轰 紅红 後后 鬍胡 護护 滬沪
話话 畫画 劃划 壞坏 歡欢 環环 換换 還还 灰灰 揮挥 輝辉 匯汇 會会 彙汇 繪绘 葷荤 渾浑 夥伙 貨货 獲获
禍祸 擊击 機机 積积 極极 級级 幾几 濟济 計计 記记 際际 繼继 紀纪 夾夹 價价 駕驾 間间 艱艰 揀拣 檢检
減减 簡简 見见 薦荐 艦舰 鑒鉴 賤贱 將将 講讲 獎奖 膠胶 澆浇 嬌娇 腳脚 餃饺 繳缴 較较 轎轿 階阶 節节
潔洁 結结 屆届 緊紧 僅仅 盡尽 勁劲 進进 近近 莖茎 經经 驚惊 鏡镜 競竞 淨净 糾纠 舊旧 舉举 據据 劇剧
懼惧 捲卷 覺觉 絕绝 軍军 開开 凱凯 顆颗 殼壳 課课 懇恳 褲裤 塊块 虧亏 擴扩 闊阔 蠟蜡 來来 賴赖 蘭兰
攔拦 欄栏 爛烂 覽览 纜缆 勞劳 樂乐 淚泪 類类 壘垒 裡里 裏里 禮礼 歷历 曆历 厲厉 勵励 麗丽 兩两 輛辆
聯联 憐怜 簾帘 臉脸 練练 煉炼 糧粮 涼凉 諒谅 遼辽 療疗 獵猎 臨临 鄰邻 靈灵 齡龄 嶺岭 領领 劉刘 龍龙
樓楼 漏漏 盧卢 爐炉 蘆芦 陸陆 錄录 慮虑 濾滤 亂乱 倫伦 論论 輪轮 羅罗 鑼锣 邏逻 馬马 媽妈 嗎吗 碼码
買买 賣卖 麥麦 脈脉 蠻蛮 滿满 貓猫 貿贸 麼么 沒没 門门 悶闷 們们 夢梦 彌弥 謎谜 綿绵 麵面 廟庙 滅灭
憫悯 閩闽 鳴鸣 銘铭 謀谋 畝亩 納纳 難难 腦脑 惱恼 鬧闹 內内 擬拟 膩腻 年年 釀酿 鳥鸟 聶聂 寧宁 擰拧
濃浓 農农 暖暖 諾诺 歐欧 毆殴 盤盘 龐庞 賠赔 噴喷 鵬鹏 騙骗 飄飘 頻频 貧贫 評评 憑凭 蘋苹 潑泼 撲扑
鋪铺 樸朴 譜谱 棲栖 齊齐 騎骑 豈岂 啟启 氣气 棄弃 汽汽 牽牵 鉛铅 遷迁 簽签 錢钱 鉗钳 潛潜 淺浅 譴谴
槍枪 牆墙 薔蔷 強强 搶抢 橋桥 喬乔 僑侨 竅窍 親亲 輕轻 氫氢 傾倾 頃顷 請请 慶庆 窮穷 區区 軀躯 趨趋
權权 勸劝 確确 讓让 擾扰 熱热 認认 榮荣 軟软 銳锐 潤润 灑洒 薩萨 賽赛 傘伞 喪丧 騷骚 掃扫 殺杀 紗纱
篩筛 曬晒 刪删 閃闪 陝陕 傷伤 賞赏 燒烧 紹绍 設设 捨舍 攝摄 懾慑 紳绅 審审 嬸婶 腎肾 滲渗 聲声 繩绳
勝胜 聖圣 師师 詩诗 時时 實实 識识 駛驶 勢势 適适 釋释 飾饰 視视 試试 壽寿 獸兽 書书 樞枢 輸输 屬属
術术 樹树 數数 帥帅 雙双 誰谁 稅税 順顺 說说 碩硕 爍烁 絲丝 飼饲 鬆松 聳耸 頌颂 訴诉 肅肃 隨随 歲岁
孫孙 損损 筍笋 縮缩 瑣琐 鎖锁 獺獭 態态 攤摊 貪贪 癱瘫 灘滩 談谈 嘆叹 湯汤 燙烫 濤涛 討讨 騰腾 謄誊
題题 體体 屜屉 條条 貼贴 鐵铁 廳厅 聽听 烴烃 頭头 圖图 團团 椭椭 拖拖 窪洼 襪袜 彎弯 灣湾 頑顽 萬万
網网 韋韦 違违 圍围 為为 維维 偉伟 衛卫 謂谓 衛卫 穩稳 問问 甕瓮 撾挝 臥卧 窩窝 嗚呜 誣诬 無无 務务
霧雾 犧牺 習习 係系 繫系 戲戏 細细 蝦虾 轄辖 嚇吓 鮮鲜 纖纤 閒闲 顯显 險险 現现 獻献 縣县 餡馅 羨羡
憲宪 線线 廂厢 鑲镶 鄉乡 詳详 響响 項项 蕭萧 銷销 曉晓 嘯啸 協协 脅胁 諧谐 寫写 瀉泻 謝谢 鋅锌 釁衅
興兴 洶汹 鏽锈 繡绣 須须 虛虚 許许 敘叙 緒绪 續续 軒轩 懸悬 選选 癬癣 絢绚 學学 勳勋 詢询 尋寻 馴驯
訓训 訊讯 遜逊 壓压 鴉鸦 啞哑 亞亚 訝讶 煙烟 鹽盐 嚴严 顏颜 閻阎 艷艳 驗验 厭厌 陽阳 養养 樣样 楊杨
揚扬 瘍疡 窯窑 謠谣 藥药 爺爷 葉叶 頁页 業业 醫医 儀仪 遺遗 億亿 憶忆 藝艺 議议 譯译 異异 陰阴 銀银
飲饮 隱隐 櫻樱 嬰婴 鷹鹰 應应 營营 蠅蝇 贏赢 穎颖 擁拥 傭佣 湧涌 詠咏 優优 憂忧 郵邮 鈾铀 猶犹 遊游
誘诱 輿舆 魚鱼 漁渔 娛娱 與与 嶼屿 語语 獄狱 預预 禦御 欲欲 鬱郁 譽誉 淵渊 園园 圓圆 員员 緣缘 遠远
願愿 約约 躍跃 鑰钥 嶽岳 粵粤 閱阅 雲云 鄖郧 勻匀 隕陨 運运 醞酝 韻韵 雜杂 災灾 載载 攢攒 暫暂 贊赞
髒脏 鑿凿 棗枣 竈灶 責责 擇择 則则 澤泽 賊贼 贈赠 紮扎 閘闸 詐诈 齋斋 債债 氈毡 盞盏 嶄崭 棧栈 戰战
綻绽 張张 漲涨 帳帐 賬账 脹胀 趙赵 這这 針针 偵侦 診诊 鎮镇 陣阵 掙挣 睜睁 猙狰 爭争 幀帧 證证 鄭郑
執执 職职 植植 紙纸 誌志 製制 質质 擲掷 鐘钟 鍾钟 終终 種种 腫肿 眾众 週周 軸轴 皺皱 晝昼 驟骤 豬猪
諸诸 燭烛 囑嘱 貯贮 註注 駐驻 築筑 鑄铸 專专 磚砖 轉转 賺赚 樁桩 莊庄 裝装 妝妆 壯壮 狀状 錐锥 墜坠
綴缀 準准 濁浊 資资 漬渍 蹤踪 總总 縱纵 鄒邹 組组 鑽钻 嘴嘴 罪罪 尊尊 遵遵 啓启 壺壶 滷卤 鹼碱 瓊琼
噹当 嚮向 搥捶 臺台 檯台 颱台 彈弹 綫线 閥阀 鈕钮 銹锈 鏈链 錶表 燜焖 爐炉 閘闸 煉炼 燈灯 竊窃 頸颈
淹淹 驅驱 衚胡 髮发 鬧闹 謊谎 煩烦 惡恶 氫氢 癢痒 臟脏 嚕噜 囉啰 廚厨 閣阁 櫥橱 匱匮 濕湿 潑泼 噁恶
溼湿 蓆席 麼么 隻只 儘尽 牠它 祇只 衊蔑 癡痴 纔才 煤煤 瓦瓦 斯斯 燄焰 鑰钥 匙匙 鈴铃 鐘钟 疏疏 遞递
""".split()

_T2S: dict[int, str] = {ord(p[0]): p[1] for p in _T2S_PAIRS if len(p) == 2 and p[0] != p[1]}
S2T: dict[str, str] = {}
for _p in _T2S_PAIRS:
    if len(_p) == 2 and _p[0] != _p[1]:
        S2T.setdefault(_p[1], _p[0])

_EMOJI_RE = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\U00002b00-\U00002bff"
    "\ufe0f\u200d\u20e3\u2300-\u23ff]+"
)
_WECHAT_EMOJI_RE = re.compile(r"\[[\u4e00-\u9fff]{1,4}\]")  # WeChat text emoji such as [捂脸] [微笑]
_REPEAT_PUNCT_RE = re.compile(r"([!?。，,.！？~～…、\-])\1+")
_SPACE_RE = re.compile(r"\s+")


def to_halfwidth(text: str) -> str:
    """Convert full-width ASCII forms (ａ-ｚ, ０-９, punctuation) and the ideographic space to half-width."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    """Map common traditional Chinese characters to simplified ones (built-in table)."""
    return text.translate(_T2S)


def to_traditional(text: str) -> str:
    """Map simplified characters to a traditional form (used by the data generator for noise)."""
    return "".join(S2T.get(ch, ch) for ch in text)


def strip_emoji(text: str) -> str:
    """Replace emoji and WeChat bracket emoji with a space."""
    return _WECHAT_EMOJI_RE.sub(" ", _EMOJI_RE.sub(" ", text))


def normalize(text: str) -> str:
    """Normalise a message for features and rules.

    Args:
        text: Raw message text.

    Returns:
        Half-width, simplified, emoji-free, lower-case text with repeated punctuation collapsed and
        whitespace squeezed.
    """
    text = unicodedata.normalize("NFKC", to_halfwidth(text or ""))
    text = to_simplified(strip_emoji(text)).lower()
    text = _REPEAT_PUNCT_RE.sub(r"\1", text)
    return _SPACE_RE.sub(" ", text).strip()
