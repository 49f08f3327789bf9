"""Hand-written hard cases (adversarial split). One message per line: ``label | text``.

Labels are ``intent+category+urgency`` with ``none`` for no category and ``misc`` for repair category other.
"""

ADVERSARIAL = """
enquiry+none+normal | 没有漏水了，就想问保修期
enquiry+none+normal | 已经不漏了 问下防水还在保修期内吗
enquiry+none+normal | 不是燃气味 是装修的油漆味 想问下多久能散
enquiry+none+normal | 上次说的冒烟是隔壁烧烤 没事 想问下物业费怎么交
enquiry+none+normal | 没有人被困 就想问问电梯年检什么时候
enquiry+none+normal | 我家没停电哈 想问下电费在哪交
enquiry+none+normal | 房贷的利率能不能改
enquiry+none+normal | 购房合同第十二条说的违约金是怎么算的 想了解一下
enquiry+none+normal | 公积金贷款要多久放款
enquiry+none+normal | 交房会延期吗 想了解下大概时间
enquiry+none+normal | 我的维修单什么时候安排 不着急
enquiry+none+normal | 請問房產證什麼時候能辦
enquiry+none+normal | 保修期内漏水免费修吗
enquiry+none+normal | 燃气灶保修几年
enquiry+none+normal | 电梯坏了找谁 先问一下 现在还好好的
enquiry+none+normal | no leak anymore, just asking about the warranty period
enquiry+none+normal | it's not a gas smell, it's the new paint. how long does it take to go away
enquiry+none+normal | is the loan contract signed yet
enquiry+none+normal | what does clause 8 of the purchase contract mean
enquiry+none+normal | any update on the handover date? just curious
enquiry+none+normal | 想问问交房延期的话有没有补偿 怎么算
complaint+none+normal | 交房都延期三个月了 你们到底给不给个说法 必须马上答复
complaint+none+normal | 漏水修了一次又漏 你们的人就是糊弄
complaint+none+normal | 上次修完还是漏 修了三次了 我要投诉你们
complaint+none+normal | 你们处理漏水太慢了 楼下都被泡了才来人 现在墙都发霉了 我要赔偿
complaint+none+normal | 之前报的燃气灶问题 师傅来了说没问题就走了 其实根本没修好
complaint+none+normal | 电梯修了又坏修了又坏 你们物业干什么吃的
complaint+none+normal | 你们的维修工在我家抽烟 太没素质了
complaint+none+normal | 停气也不提前说一声 做饭做一半没气了
complaint+none+normal | 維修師傅態度太差了 我要投訴
complaint+none+normal | 合同上写的精装标准和交付的不一样 要求赔偿
complaint+none+normal | the leak you fixed last week is back, this is the third time. unacceptable
complaint+none+normal | nobody showed up for the appointment again, I took a day off for this
complaint+none+normal | you cut the gas without any notice and i couldn't cook dinner
complaint+none+normal | why do i have to chase you every week about the same crack
complaint+none+normal | the handover is three months late, i demand an answer today
complaint+none+high | 热水器报修五天了还没人来 大冬天天天冷水洗澡
complaint+none+high | 只有一个厕所 堵了两天 说好今天来又没来
complaint+none+high | no hot water for a week and two visits didn't fix it, sort it out today
other+none+normal | 好的
other+none+normal | 收到
other+none+normal | OK
other+none+normal | thanks
other+none+normal | 嗯嗯好的
other+none+normal | 👌
other+none+normal | 谢谢你们 辛苦了
other+none+normal | 不用派人了 水管我自己修好了
other+none+normal | 不用来了 燃气灶自己好了
other+none+normal | 取消 我老公已经把马桶通了
other+none+normal | 刚才说的漏水不用管了 是我家洗衣机没放好 已经处理了
other+none+normal | no need to send anyone, fixed it myself
other+none+normal | cancel that, the lift is working again
other+none+normal | 转人工 转人工
other+none+normal | 能不能让真人来回答
other+none+normal | agent please
other+none+normal | 不好意思 发错群了
other+none+normal | 谢谢 問題已解決
other+none+normal | 好滴
other+none+normal | 收到 謝謝
repair+gas+high | 燃气灶打不着火 没有闻到煤气味
repair+gas+high | 灶台点不着火 也没什么味道
repair+gas+high | the hob won't light but there is no smell of gas
repair+gas+high | 燃氣灶點不著火 沒有味道
repair+gas+emergency | 燃气灶打不着火 而且有点煤气味
repair+gas+emergency | 闻着有股怪味像煤气
repair+gas+emergency | 閥門已經關了 但還是有煤氣味
repair+gas+emergency | 楼道里闻到燃气味 不知道谁家的
repair+gas+emergency | smells a bit like gas near the meter, valve is off already
repair+gas+emergency | 我也不确定 好像有点燃气的味道 有点头晕
repair+gas+emergency | 厨房有股臭鸡蛋的味道
repair+door_window+emergency | 入户门锁不上了 现在晚上十一点
repair+door_window+emergency | 今晚大门关不上 家里就我和孩子
repair+door_window+emergency | 防盗门坏了 锁不上 天黑了 我一个女生住
repair+door_window+emergency | front door won't lock and it's night, i'm scared
repair+door_window+high | 入户门锁不上了 现在白天 家里有人看着
repair+door_window+high | 大门关不上 上午十点 下班前能修好吗
repair+door_window+high | the front door won't close, it's 10am, please come today
repair+water+emergency | 水哗哗往外冒 关不住
repair+water+emergency | 楼上往下灌水 快来人
repair+water+emergency | 卫生间地漏反水 臭水冒出来了
repair+water+emergency | 水管爆了水管爆了 快快快
repair+water+emergency | 嗯那个 就是说 我家厨房 厨房水管 爆了 水一直喷
repair+water+emergency | 3栋2单元1502 家里淹了 水都流到电梯口了
repair+water+emergency | 5-1-802 水管爆裂 138****1234
repair+water+emergency | 12#1203 全屋停水一整天了 一点水没有
repair+water+emergency | 水管爆了 這裡全是水
repair+water+emergency | 救命 家里进水了 水漫到卧室了
repair+water+emergency | the pipe under the sink just exploded, water everywhere
repair+water+emergency | help!! water pouring through my ceiling from upstairs
repair+water+emergency | 楼上漏水 往我家灌 我要投诉 快派人来
repair+water+emergency | 你们什么物业 水管又爆了 地上全是水 赶紧来
repair+electrical+emergency | 插座啪一声冒火花
repair+electrical+emergency | 开关那里冒烟了
repair+electrical+emergency | 热水器漏电 洗澡的时候麻了一下
repair+electrical+emergency | 地库充电桩冒火花了
repair+electrical+emergency | the car park charger is sparking
repair+electrical+emergency | 家里全部没电了 只有我家 电闸推不上
repair+electrical+emergency | 插座着火了 已经用灭火器扑灭
repair+electrical+emergency | there's a burning smell and smoke from the socket
repair+electrical+high | 排风扇已经关了 还有股焦味 没有冒烟
repair+electrical+high | 厨房这一路跳闸 合不上 别的房间有电
repair+electrical+normal | 客厅开关坏了 按了不亮
repair+lift+emergency | 电梯卡住了里面有人
repair+lift+emergency | 电梯里有人 卡在12楼和13楼中间
repair+lift+emergency | 我婆婆困在电梯里 快来
repair+lift+emergency | someone's stuck in the lift on floor 9!!
repair+lift+emergency | 電梯困人 快來
repair+lift+high | 电梯停了 里面没人 但我们上不去
repair+lift+high | the lift stopped working, nobody inside
repair+lift+normal | 电梯里的灯有一个不亮
repair+wall_floor_ceiling+emergency | 天花板掉下来一大块 差点砸到孩子
repair+wall_floor_ceiling+emergency | 外墙的瓷砖掉下来了 砸到楼下的车
repair+wall_floor_ceiling+normal | 地砖空鼓 踩着咚咚响 不急
repair+wall_floor_ceiling+normal | 墙上一条细裂缝 交房就有
repair+waterproofing+normal | 楼下说我家卫生间往他家渗水
repair+waterproofing+normal | my downstairs neighbour says water comes through from my bathroom
repair+waterproofing+high | 下雨屋顶漏水 我拿桶接着呢 滴得挺快
repair+water+high | 水管在滴水 拿桶接着
repair+water+high | 没有热水 洗不了澡 已经一天了
repair+water+high | 家里唯一的厕所堵了
repair+water+high | 厨房下水道堵了 洗不了碗
repair+water+normal | 下水有点慢
repair+fixtures+normal | 水龙头滴水 不是很严重
repair+fixtures+normal | 油烟机不吸了
repair+public_area+emergency | 小区里有个井盖没了 有小孩在旁边跑
repair+public_area+normal | 车库的灯坏了几盏
repair+public_area+normal | 楼道灯坏了 晚上黑漆漆的
repair+public_area+high | 单元门禁坏了 进不去楼
repair+misc+normal | 空调冷凝水管漏水
repair+misc+normal | 电动晾衣架卡住了 下不来
repair+misc+normal | the fresh air system makes a weird noise
repair+misc+normal | 地暖有个房间不太热
repair+door_window+normal | 纱窗破了 蚊子进来了 烦死了
repair+door_window+normal | 猫眼掉了
repair+fixtures+normal | 马桶盖坏了 你们交房质量真差
repair+electrical+normal | 卧室灯不亮了 太烦了 刚交房就坏
repair+water+normal | 阳台地漏下水慢 有空来看看 电话13912345678
repair+electrical+normal | 書房插座沒電
repair+wall_floor_ceiling+normal | 墻皮脫落了
repair+water+high | ｎｏ hot water ａｔ ３栋1502 since morning
repair+gas+emergency | Block 3 Unit 1502, gas smell in kitchen!! 快来
repair+lift+emergency | 电梯stuck了 有人在里面
repair+electrical+emergency | socket冒烟了 怎么办
repair+water+emergency | 水管burst了 地上全是水
enquiry+none+normal | 请问warranty多久
other+none+normal | ok 收到
other+none+normal | 好的 thanks
repair+water+emergency | 楼上往下灌水！！！😱😱
repair+gas+emergency | 有煤氣味🆘
repair+electrical+emergency | 插座冒火花了⚡⚡
repair+water+high | 热水器坏了 没热水 [流泪]
other+none+normal | [OK]
other+none+normal | 好的👌
enquiry+none+normal | 我问下 燃气灶点不着一般是什么原因 现在没坏 以防万一
enquiry+none+normal | 如果闻到煤气味应该怎么办 先问问
enquiry+none+normal | what should i do if i ever smell gas? just asking
repair+water+emergency | 淹了淹了 厨房淹了
repair+water+emergency | 家里发大水了 快来
repair+electrical+emergency | 被电了一下 插座有问题
repair+water+emergency | 化粪池反水 厕所冒粪水
repair+gas+emergency | 燃气管被装修工人钻破了 在漏气
repair+lift+emergency | 扶梯把小孩的鞋卷进去了 人卡着
repair+door_window+emergency | 阳台窗户玻璃碎了掉到楼下 有人经过
""".strip().splitlines()
