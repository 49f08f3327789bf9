"""Hand-written English phrases for the TRAINING split (never used for test or adversarial)."""

REPAIR = {
    "water/emergency": """
a pipe burst in the kitchen and water is pouring out
the flat is flooding, water everywhere
water is gushing from the ceiling, the flat upstairs is leaking into ours
sewage is backing up out of the floor drain
the toilet is overflowing with dirty water from the drain
there's no water at all in the whole apartment
burst pipe under the sink, can't find the main valve
the water heater pipe broke and it's flooding the bathroom
the whole building has no water
water coming through the light fittings from upstairs
""",
    "water/high": """
no hot water since this morning
the hot water isn't working, only cold comes out
our only toilet is blocked
the kitchen sink is blocked and won't drain at all
a pipe is dripping, i put a bucket under it
small leak under the basin, catching it with a bowl
water pressure is almost zero
""",
    "water/normal": """
the bathroom sink drains slowly
shower drain is a bit slow
the floor drain smells a bit
the tap water looks a little yellow at first
pipes make a humming noise when the tap is on
""",
    "waterproofing/high": """
rain is seeping through the wall and dripping onto the floor
the roof is leaking, we have a pot under it
the neighbour below says water from my bathroom is dripping into their bedroom
""",
    "waterproofing/normal": """
the neighbour downstairs says water comes through from my bathroom, there's a stain on their ceiling
damp patch on the bedroom wall every time it rains
the exterior wall lets moisture in, the paint is bubbling
mould on the wall next to the shower, looks like waterproofing
there's a water stain on the ceiling, probably from upstairs
""",
    "electrical/emergency": """
the socket sparked and there was a bang
smoke is coming out of the light switch
i got an electric shock from the washing machine
the whole flat has no power and the breaker won't go back up
burning smell and smoke from the fuse box
the wiring in the wall is smoking
""",
    "electrical/high": """
all the kitchen sockets are dead
the breaker keeps tripping when i use the oven
one circuit has no power, half the lights are out
the bathroom fan smells like burning even though it's switched off, no smoke
""",
    "electrical/normal": """
a light switch in the living room doesn't work
the bedroom ceiling light won't turn on
one socket in the study is dead
the socket cover is loose
the balcony light keeps flickering
""",
    "gas/emergency": """
i can smell gas in the kitchen
strong gas smell in the corridor
smells like gas, i've already closed the valve
the gas alarm keeps going off
gas is leaking from the pipe, i can hear hissing
""",
    "gas/high": """
the hob won't light, no gas smell
none of the burners on the stove will ignite
the gas stove clicks but no flame, doesn't smell of gas
""",
    "gas/normal": """
the gas meter display is blank
the cover on the gas pipe came loose
the gas meter keeps beeping for a battery change
""",
    "lift/emergency": """
someone is trapped in the lift
the elevator is stuck between floors with people inside
my kid is stuck in the lift, the alarm button does nothing
""",
    "lift/high": """
the lift has stopped, no one inside, we live on floor 25
both elevators are out of order
the elevator isn't moving, nobody trapped
""",
    "lift/normal": """
the lift button light is broken
the elevator makes a grinding noise
the display in the lift isn't working
the fan in the lift doesn't work
""",
    "door_window/emergency": """
my front door won't lock and it's 11pm
the main door can't close tonight, i'm alone at home
a window frame is coming loose and might fall onto the street
the lock broke this evening, can't lock the door for the night
""",
    "door_window/high": """
the front door won't close, it's daytime but i need it fixed today
the bedroom window won't shut and there's a typhoon coming
the balcony door won't close and it's about to rain
""",
    "door_window/normal": """
the bedroom door hinge is loose
the window screen has a hole in it
the peephole is cloudy
the sliding door is stiff
the window handle is wobbly
""",
    "wall_floor_ceiling/emergency": """
part of the ceiling fell down in the living room
tiles are falling off the facade onto the footpath
""",
    "wall_floor_ceiling/normal": """
the floor tiles sound hollow
there's a hairline crack in the living room wall
the paint is peeling in the bedroom
the skirting board is coming off
the wooden floor is bulging
""",
    "fixtures/high": """
the kitchen tap won't turn off, water keeps running
""",
    "fixtures/normal": """
the tap keeps dripping
the toilet flush button is stuck
the range hood stopped working
a kitchen cabinet door fell off
the shower head is broken
the towel rail came off the wall
crack in the worktop
""",
    "public_area/emergency": """
a manhole cover is missing outside block 3, someone could fall in
the fence by the playground is about to collapse onto the path
""",
    "public_area/high": """
the car park lights are all out, it's pitch black
the barrier gate is stuck, cars can't get out
the building entrance door access is broken, nobody can get in
""",
    "public_area/normal": """
the corridor light is out
the street light by the gate is broken
my mailbox door is broken
a swing in the playground is broken
the gym equipment in the clubhouse is broken
""",
    "misc/high": """
the floor heating isn't working at all and it's freezing
""",
    "misc/normal": """
the air conditioning condensate pipe is dripping
the central air con isn't cooling
the fresh air unit is really noisy
the electric clothes rack won't go up
floor heating in one room isn't warm
""",
}

COMPLAINT_NORMAL = """
the technician was supposed to come this morning and never showed up
this is the third time you've fixed the leak and it's still leaking
your staff was really rude on the phone
i reported this a month ago and nobody has done anything
they cut the water without any notice, this is unacceptable
the repair guy scratched my floor, i want compensation
the finish is nowhere near what the contract promised
i want a refund of my deposit
my complaint has been ignored for two weeks
you closed my ticket but the problem isn't fixed
the handover was delayed three months, when do we get the penalty payment
security guards were rude to my parents
the crack you repaired has come back, terrible workmanship
every time i call you say it's being handled, nothing happens
i was charged for a repair that should be under warranty
""".strip().splitlines()

COMPLAINT_HIGH = """
still no hot water after three days, when are you coming
our only toilet has been blocked for two days and nobody came
no water for two days now, you said it would be back yesterday
the lift has been broken for a week and my elderly mother can't get downstairs today
""".strip().splitlines()

ENQUIRY = """
when is the handover date
how is construction going on phase 2
how long is the warranty on the windows
when will the property certificate be ready
what documents do i need for handover
how do i pay the property management fee
how much is a parking space
can i rent a parking spot
has my mortgage been approved
what's the status of my repair request, no rush
it's not leaking anymore, i just want to know the warranty period
how do i get an access card
how do i set up gas and electricity accounts
can i enclose my balcony
what are the renovation rules
what time does the management office close
is the contract signed and registered yet
how long is the warranty for waterproofing
""".strip().splitlines()

OTHER = """
ok
ok thanks
thanks
thank you
got it
noted
hi
hello
anyone there
agent
real person please
i want to talk to a human
no need to send anyone, i fixed it myself
cancel the repair, it's fine now
sorry wrong chat
sent that by mistake
bye
good night
click here to win a prize
sure
👍
alright
""".strip().splitlines()

# A second batch, written later for breadth (merged by generate.py).
REPAIR_MORE = {
    "water/emergency": """
the water main in our flat has burst, the floor is soaked
our bathroom is flooded and water is running into the bedroom
dirty water is coming up out of the toilet and the floor drain
the pipe behind the washing machine came off, water all over the floor
water is streaming down the walls from the flat above
we have no water supply at all, nothing from any tap
""",
    "water/high": """
the water heater only gives cold water
toilet is blocked and it's the only one in the flat
kitchen sink is backed up, can't wash anything
a pipe under the sink is leaking into a bowl, i have to empty it every hour
the hot water has gone cold and we can't shower
""",
    "water/normal": """
the bath drains really slowly
there's a gurgling sound from the kitchen drain
low water pressure in the shower, still usable
""",
    "waterproofing/normal": """
there's damp coming through the outside wall of the bedroom
water marks on the ceiling below my bathroom, says the neighbour
the wall by the balcony is always damp after rain
""",
    "electrical/emergency": """
the plug started sparking when i switched it on
the extension socket is melting and smoking
got zapped touching the bathroom heater
the light fitting caught fire
all the power in our flat is off and the trip switch won't reset
""",
    "electrical/high": """
the oven circuit keeps tripping the breaker
no power to any socket in the bedroom
the fuse keeps blowing for the kitchen
""",
    "electrical/normal": """
the doorbell doesn't work
a light in the dining room is flickering
the switch plate is cracked
the socket behind the sofa doesn't work
""",
    "gas/emergency": """
there's a strong smell of gas outside the kitchen
i think there's a gas leak near the meter
smells like gas in the car park
the gas detector is beeping and i can smell something
""",
    "gas/high": """
the burners won't ignite, they just click, no smell
can't light the gas hob at all, no gas smell
""",
    "gas/normal": """
the gas meter needs a new battery
the gas pipe cover is loose
""",
    "lift/emergency": """
my neighbour is trapped in the elevator
the lift stopped between floors and my wife is inside
there are people stuck in the lift and the alarm isn't answered
""",
    "lift/high": """
the lift is broken and nobody is inside, elderly residents can't get down
the only lift in our block isn't working
""",
    "lift/normal": """
the lift door closes too fast
the elevator light is flickering
the floor display in the lift is wrong
""",
    "door_window/emergency": """
someone broke our front door lock tonight and we can't lock up
it's late at night and the main door won't shut
""",
    "door_window/high": """
the main door won't lock, it's morning, we need it fixed before we leave tonight
the window won't close and heavy rain is forecast
""",
    "door_window/normal": """
the wardrobe door... sorry, the bedroom door rubs on the floor
the window seal has come off
the balcony door lock is stiff
the door stopper is broken
""",
    "wall_floor_ceiling/emergency": """
plaster from the ceiling fell down and nearly hit my son
""",
    "wall_floor_ceiling/normal": """
there's a crack running from the door frame
the wall paint is bubbling
some floorboards are lifting
the bathroom wall tile is cracked
""",
    "fixtures/normal": """
the toilet seat is broken
the basin is loose on the wall
the cistern keeps running a little
the kitchen drawer runner is broken
the bathroom mirror cabinet door is loose
the tap handle is wobbly
the shower mixer is stiff
""",
    "public_area/normal": """
the mailbox lock is broken
the light at the building entrance is out
the gate intercom doesn't work
the path lights near block 5 are out
""",
    "public_area/high": """
the entrance gate won't open, residents are stuck outside
""",
    "misc/normal": """
the air conditioner leaks water inside
the floor heating thermostat doesn't respond
the fresh air filter smells
the electric drying rack is stuck halfway
""",
}

COMPLAINT_MORE = """
i've called five times about the same problem and still nothing
the repair was done badly and now it's worse
why did you close my ticket without fixing anything
your engineer left a mess and didn't clean up
the quality of this flat is terrible, i want the developer to take responsibility
the delay in handing over cost me rent, i want compensation
""".strip().splitlines()

ENQUIRY_MORE = """
when can we collect the keys
how long is the warranty on the plumbing
can you tell me the property fee rate
where do i register my car for parking
when will gas be connected in our block
is there an owners' group chat
how do i book a time to inspect the flat
""".strip().splitlines()

OTHER_MORE = """
ok cool
perfect thanks
many thanks
good morning
are you a bot
let me talk to a person
it's fine now, please cancel
no worries
""".strip().splitlines()

ENQUIRY_BATCH3 = """
roughly when will the handover happen
is the building finished yet
what does the warranty cover
how many years is the roof warranty
is the property fee calculated on the gross area
how do i top up the gas card
can i rent out my flat
which bank handles the mortgages
do i need to be there in person for the certificate
who is handling my repair ticket
how soon does a technician usually come
""".strip().splitlines()

COMPLAINT_BATCH3 = """
this service is really poor, i'm not happy at all
why am i being charged when it's under warranty
your workers left dust all over my flat
you promised an answer in three days, it's been a week
i keep getting passed between the developer and management
the flat is smaller than the contract says, i want the difference refunded
""".strip().splitlines()

OTHER_BATCH3 = """
cool thanks
appreciate it
great
morning
hello there
transfer me to a human
can someone call me instead
problem solved, thanks
ignore that message
typo, ignore
""".strip().splitlines()
