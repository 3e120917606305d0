"""The sample company behind `ideaboard demo`: departments, people, ideas, comments.
(The Danish one, `--language da`, is in demo_data_da.)"""

ORGANISATION = "Northwind Logistics"
OPERATIONS = "Operations"  # the department the demo's manager triages
ACCOUNT_DEPARTMENTS = {
    "admin@example.com": "IT",
    "manager@example.com": "Operations",
    "member@example.com": "Customer Service",
    "moderator@example.com": "People & Culture",
}
FIXED_NAMES = {
    "admin@example.com": "Alex Admin",
    "manager@example.com": "Morgan Manager",
    "member@example.com": "Maria Member",
    "moderator@example.com": "Robin Moderator",
}

DEPARTMENTS = (
    "Operations",
    "Customer Service",
    "Sales",
    "Marketing",
    "IT",
    "Finance",
    "People & Culture",
    "Product",
)

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lars",
    "Maya",
    "Nikhil",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xin",
    "Yara",
    "Zane",
    "Aiko",
    "Bruno",
    "Carmen",
    "Dev",
    "Eva",
    "Felix",
    "Gita",
    "Hugo",
    "Isla",
    "Jamal",
    "Kira",
    "Leo",
    "Mina",
    "Noah",
    "Omar",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomas",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoe",
    "Anke",
    "Bilal",
    "Cora",
    "Diego",
    "Emre",
    "Freya",
    "Gus",
]

LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Petrov",
    "Garcia",
    "Haddad",
    "Kim",
    "Tanaka",
    "Silva",
    "Weber",
    "Adeyemi",
    "Nilsson",
    "Patel",
    "Sharma",
    "Ivanova",
    "Ruiz",
    "Murphy",
    "Costa",
    "Rahman",
    "Singh",
    "Aziz",
    "Novak",
    "Becker",
    "Zhang",
    "Mansour",
    "Hansen",
    "Sato",
    "Rossi",
    "Lopez",
    "Mehta",
    "Fischer",
    "Meyer",
    "Kaur",
    "Dubois",
    "Walsh",
    "Khan",
    "Nowak",
    "Bauer",
    "Ortiz",
    "Jensen",
    "Yilmaz",
    "Chen",
    "Iyer",
    "Souza",
    "Popescu",
    "Berg",
    "Kowalski",
    "Haas",
    "Duarte",
    "Reyes",
    "Brennan",
    "Falk",
    "Hughes",
    "Osei",
    "Varga",
    "Lund",
    "Moretti",
    "Stein",
    "Ali",
]

# department | title | what hurts today (the body is built around it)
IDEAS = """
Operations|Shared booking calendar for the loading docks|Drivers wait up to two hours at the gate because nobody knows which dock is free.
Operations|Barcode scanning at goods-in instead of paper lists|Every delivery is checked against a printed list and typed in again later.
Operations|Route planning that accounts for roadworks|Vans get stuck in the same roadworks for weeks before someone updates the plan.
Operations|Spare-parts shelf next to the sorting line|A jammed belt waits 40 minutes for a part that lives in the other building.
Operations|Night shift handover checklist|Issues found at night are forgotten by the time the day shift starts.
Operations|Reusable crates instead of cardboard for internal moves|We throw away hundreds of boxes every week just moving stock between sites.
Operations|Live map of where the vans are|Customer Service phones drivers to ask where they are, which distracts them on the road.
Operations|Pick-by-light in the small parts area|New pickers mix up similar bins and we ship the wrong item.
Operations|Weekly safety walk with a rotating colleague|Hazards are reported only after someone trips over them.
Operations|Standard size for returned-goods labels|Returns arrive with six different label formats and half cannot be scanned.
Operations|Solar panels on the warehouse roof|The roof is huge and empty, and our electricity bill keeps growing.
Operations|Charging points for the electric forklifts near each aisle|Forklifts drive across the hall to charge and block the main aisle.
Operations|Photo of every damaged parcel at dispatch|We cannot prove a parcel left intact when a customer claims damage.
Operations|One shared inbox for carrier problems|Carrier issues are spread over personal inboxes and get lost during holidays.
Operations|Cross-training between the two warehouses|When one site is short-staffed, the other cannot help because processes differ.
Operations|Quiet break room for the night shift|The only break room is next to the loading bay and never quiet.
Operations|Daily 10-minute stand-up at the start of each shift|Team leads learn about problems from the previous shift by chance.
Operations|Fix the heating in hall B|Hall B is below 12 °C in winter mornings and people work in coats.
Operations|Digital temperature log for the cold room|Someone writes the temperature on paper twice a day and the sheets get wet.
Operations|Clear signs for visiting drivers|Visiting drivers get lost on the site and end up at the wrong gate.
Operations|Let drivers book a dock time slot online|Trucks queue at the gate because nobody knows when a dock will be free.
Operations|Pallet wrap that we can recycle|We use a lot of plastic wrap that goes straight into general waste.
Operations|Let pickers choose their own headphones for voice picking|The shared headsets are uncomfortable and often broken.
Operations|Monthly open day for families|Our families have no idea what a day in the warehouse looks like.
Operations|Automatic reorder for packing material|We run out of tape and boxes on busy days because nobody noticed.
Operations|Buddy system for new warehouse staff|New colleagues learn from whoever is free, so everyone learns differently.
Customer Service|Customers can book a delivery slot online|A third of our calls are customers trying to move a delivery.
Customer Service|Templates for the ten most common replies|Everyone writes the same explanations from scratch all day.
Customer Service|Callback instead of waiting on hold|Customers wait up to 20 minutes on hold on Monday mornings.
Customer Service|See the order history in the phone tool|We switch between three tools to answer a simple question.
Customer Service|Customer feedback digest for every department|What customers tell us rarely reaches the teams who could fix it.
Customer Service|Chat on the website during office hours|Younger customers do not call; they leave when they cannot chat.
Customer Service|Proactive SMS when a delivery will be late|Customers call to ask where the parcel is when we already know it is late.
Customer Service|Quiet hour without calls for training|We never have time to learn the new products before customers ask about them.
Customer Service|Refunds under 50 euros without a manager's approval|Small refunds wait a day for approval and annoy loyal customers.
Customer Service|Knowledge base that the whole company can edit|Answers live in the heads of a few senior agents.
Customer Service|Shadow a driver for a day|Agents promise things about deliveries without knowing how they work.
Customer Service|Translate the help pages into Polish and Turkish|Many of our customers struggle with the German-only help pages.
Customer Service|Status page for outages|When the tracking site is down, hundreds of customers call at once.
Customer Service|Better headsets for the call centre|The current headsets cut off and customers have to repeat themselves.
Customer Service|Tag calls by reason so we can see trends|We feel that some problems grow, but we cannot show it with numbers.
Customer Service|Thank-you note from customers on the team screen|We only ever hear complaints; kind words never reach the team.
Customer Service|Self-service address change|Address changes are a simple form we type in for the customer.
Customer Service|A direct line to the warehouse team lead|It takes several emails to ask the warehouse a simple question.
Customer Service|Weekend rota that people can swap in the app|Swapping a weekend shift means a chain of text messages.
Customer Service|Post-call survey with one question|We have no idea whether customers felt helped.
Customer Service|Shorter phone menu|Customers press through four menus before they reach a person.
Customer Service|Let agents close duplicate tickets in one click|Customers write three times about the same issue and we answer three times.
Customer Service|Standing desks for the service floor|Sitting eight hours on the phone is hard on the back.
Customer Service|Screen the first reply of new agents for a week|New agents get no feedback until a customer complains.
Customer Service|Photos in the complaint form|Customers describe damage in words when a photo would settle it at once.
Customer Service|Publish our average response time|Customers keep chasing because they do not know when to expect an answer.
Customer Service|Warm handover to the sales team|Customers asking about prices get a phone number and call again.
Customer Service|Monthly call listening session with Product|Product decisions are made without hearing real customers.
Customer Service|Holiday cover plan published early|Before holidays we always end up short on the busiest days.
Customer Service|Accessibility check of our emails|Customers using screen readers say our emails are confusing.
Sales|Shared list of customers who are about to churn|We find out a customer left when their orders stop.
Sales|Price calculator that sales and customers use alike|Quotes take two days because pricing lives in a spreadsheet.
Sales|Win-loss interview after every big deal|We never learn why we lost a tender.
Sales|Trial month for small businesses|Small shops do not sign a yearly contract without trying us first.
Sales|CRM reminders for contract renewals|Renewals slip because the date is only in the contract PDF.
Sales|Case studies with our best customers|Prospects ask for references and we have nothing written.
Sales|Joint visits with an operations lead|Big customers want to talk to someone who runs the warehouse.
Sales|Regional pricing for rural areas|We lose rural customers to local carriers on price.
Sales|E-signature for contracts|Contracts wait a week in the post for a signature.
Sales|Lead hand-off from marketing within 24 hours|Warm leads from events go cold before anyone calls them.
Sales|A one-page overview of all our services|Customers do not know we also offer storage and returns handling.
Sales|Discount for customers who book slots in advance|Planned deliveries are cheaper for us but customers pay the same.
Sales|Quarterly business review template|Every account manager prepares customer reviews differently.
Sales|Partner programme with e-commerce agencies|Agencies recommend carriers to their clients, but not us.
Sales|Sales dashboard that updates daily|The weekly report is outdated by the time we read it.
Sales|Invite key customers to the summer party|Our best customers never meet the people who handle their parcels.
Sales|Green delivery option customers can choose|Tenders increasingly ask about emissions and we have no answer.
Sales|Shadow a customer service shift|We promise things the service team then has to explain.
Sales|Shorter contract templates|Our contract is 30 pages and scares small customers away.
Sales|Referral bonus for customers|Happy customers recommend us, but we never thank them.
Sales|Industry-specific landing pages|Pharmacies and bike shops have very different needs on one generic page.
Sales|Monthly pipeline review with Finance|Finance is surprised by large deals that need credit checks.
Sales|Demo account of the tracking portal|Prospects want to see the portal before they sign.
Sales|Tender library with past answers|Each tender is written from zero, with the same questions every time.
Sales|Car-sharing for customer visits|Each salesperson drives alone to the same industrial parks.
Marketing|Employee stories on our careers page|Candidates cannot picture what working here is like.
Marketing|Monthly newsletter for customers|Customers learn about new services from competitors first.
Marketing|Refresh the van livery with our new logo|Half our vans still show the logo from 2015.
Marketing|One brand template for presentations|Every team's slides look different in front of customers.
Marketing|Track which campaigns bring real customers|We count clicks but not contracts.
Marketing|Sponsor the local cycling race|The race passes our depot and our competitor sponsors it.
Marketing|Short videos showing how a parcel travels|Customers do not understand why delivery takes two days.
Marketing|Customer advisory board twice a year|We guess what customers want from our messaging.
Marketing|Podcast with our drivers' stories|Drivers have great stories that nobody hears.
Marketing|Shared photo library|People take photos from the internet because ours are hard to find.
Marketing|Clean up the customer mailing lists|A fifth of our emails bounce or go to people who left.
Marketing|Accessible colours on the website|Our green-on-white buttons fail contrast checks.
Marketing|LinkedIn training for the sales team|Sales share our posts without comment and reach nobody.
Marketing|Landing page for each city we serve|Local searches show competitors first.
Marketing|Trade fair stand we can reuse|We build a new stand for each fair and throw it away.
Marketing|Internal launch before external launch|Colleagues learn about new services from our own adverts.
Marketing|Customer reviews on the website|Prospects look for reviews and find only old complaints.
Marketing|Seasonal campaign for Christmas shipping deadlines|Customers miss the last safe shipping day every December.
Marketing|Guidelines for writing in plain language|Our letters use legal language customers do not understand.
Marketing|Brand ambassadors in every department|Good news from teams never reaches the marketing team.
Marketing|Share our emissions figures publicly|Competitors talk about sustainability and we stay silent.
Marketing|Simplify the website navigation|Visitors need four clicks to find the contact page.
Marketing|Photograph our real people instead of stock images|Our brochures show models who do not work here.
Marketing|School partnership for apprenticeships|We struggle to find apprentices for the warehouse.
Marketing|Quarterly content calendar shared with all teams|Teams ask for posts at the last minute.
IT|Single sign-on for all internal tools|People have eleven passwords and reuse them.
IT|Self-service password reset|Password resets are a third of all IT tickets.
IT|Replace the shared warehouse PCs with tablets|The warehouse PCs are slow, shared and always logged in as someone else.
IT|Phishing training with realistic tests|Two colleagues gave away their passwords last quarter.
IT|Wi-Fi coverage in hall B|Scanners lose connection at the far end of hall B.
IT|A status page for internal systems|When the ERP is slow, everyone calls IT at once.
IT|Laptop ready on the first day|New colleagues wait up to a week for a working laptop.
IT|Automatic backups of team shared drives|We lost a week of planning work when a drive failed.
IT|Retire the old fax server|We still maintain a fax server for two remaining customers.
IT|Office hours for IT questions|Small questions become tickets that wait for days.
IT|Password manager for everyone|People keep passwords in spreadsheets and on sticky notes.
IT|Second internet line for the depot|When the only line fails, the whole depot stops.
IT|Move the route planner to the cloud|The route planner server under the desk is a single point of failure.
IT|Shared calendar for meeting rooms|Meeting rooms are double-booked because bookings live in a paper binder.
IT|Dark mode for the internal portal|Night shift staff find the bright portal tiring on the eyes.
IT|Inventory of all the software we pay for|We pay for tools nobody uses anymore.
IT|Video conferencing kits in the big meeting rooms|Hybrid meetings are one laptop on the table, and remote people hear nothing.
IT|Mobile app for expense receipts|Receipts get lost before they reach Finance.
IT|Two-factor authentication for email|Email accounts are the first thing attackers try.
IT|Recycle old laptops through a certified partner|Old laptops pile up in a cupboard with data on them.
IT|Chat tool for the drivers|Drivers use private messenger groups for work.
IT|API for our biggest customers' shops|Big customers type orders into our portal by hand.
IT|Document the ERP customisations|Only one person knows how our ERP changes work.
IT|Print less: default to double-sided|Printers use a pallet of paper every month.
IT|Monitoring alerts that go to the right team|Alerts go to one inbox that nobody reads at night.
Finance|Approve invoices in the app instead of by email|Invoices wait weeks in inboxes for approval.
Finance|Company credit cards for frequent travellers|People wait a month to be reimbursed for business trips.
Finance|Monthly cost report per department|Teams only see their costs at the end of the year.
Finance|Pay small suppliers within 14 days|Local suppliers struggle when we pay after 60 days.
Finance|Digital archive for receipts|Finding an old receipt means searching boxes in the basement.
Finance|Fuel cards that report consumption per van|We cannot see which vans use too much fuel.
Finance|Budget training for team leads|Team leads are responsible for budgets nobody explained to them.
Finance|Fewer approval steps for purchases under 200 euros|A box of pens needs three signatures.
Finance|Show customers their invoices in the portal|Customers call to ask for copies of invoices.
Finance|Automatic payment reminders|Chasing late payments is done by hand, one email at a time.
Finance|Lease electric vans instead of buying diesel|Fuel and maintenance costs for the old vans keep growing.
Finance|Travel policy in plain language|Nobody knows which hotel price is acceptable.
Finance|Quarterly forecast with the department heads|Budgets are set once a year and are wrong by spring.
Finance|Per diem instead of receipts for meals|Collecting meal receipts on trips is tedious for everyone.
Finance|Energy-saving targets with a shared bonus|Electricity costs grow and nobody feels responsible.
Finance|Single supplier for office supplies|We buy from twelve shops at twelve different prices.
Finance|Dashboard of open customer balances for sales|Sales sell more to customers who have not paid.
Finance|Close the books in five days instead of ten|Monthly figures arrive too late to act on.
Finance|Bike leasing as an employee benefit|Many colleagues live close by but drive to work.
Finance|Digital payslips|Printed payslips are posted to every employee each month.
People & Culture|Mentoring programme across departments|People only know colleagues from their own team.
People & Culture|Flexible start times for office staff|Everyone arrives at 8:00 and the car park and roads are full.
People & Culture|Clear career paths in the warehouse|Warehouse staff do not see how to grow beyond picking.
People & Culture|Onboarding buddy for every new colleague|New colleagues do not know whom to ask for what.
People & Culture|Exit interviews shared with managers|We lose good people and never learn why.
People & Culture|Language courses for colleagues|Many colleagues would like to improve their German or English.
People & Culture|Recognition wall in the canteen|Good work goes unnoticed outside the team.
People & Culture|Healthy food options in the vending machines|The night shift has only sweets and crisps.
People & Culture|Job rotation for a week a year|People want to understand other departments.
People & Culture|Anonymous pulse survey every quarter|The yearly survey is too late to fix anything.
People & Culture|Parental leave guide|New parents ask the same questions and get different answers.
People & Culture|Sports club with company support|Several colleagues already play football together after work.
People & Culture|Training budget for each employee|Only managers get to go to training courses.
People & Culture|Clear policy for working from home|Each manager decides differently about home working.
People & Culture|Celebrate work anniversaries|Ten years with the company passes without a word.
People & Culture|Mental health first aiders|People do not know where to turn when they struggle.
People & Culture|Shorter job adverts|Our job adverts are long and candidates do not finish reading them.
People & Culture|Referral bonus for hiring friends|Good people know good people, but we never ask them.
People & Culture|Lunch-and-learn sessions by colleagues|Colleagues have skills to share, but no place to share them.
People & Culture|Prayer and quiet room at the depot|Colleagues pray in their cars during breaks.
Product|Customers choose a safe place for parcels|Failed deliveries cost us a second trip.
Product|Parcel lockers at our depots|Customers who work all day cannot receive parcels at home.
Product|Tracking page that shows a time window|Customers wait at home all day for a parcel.
Product|Returns label printed by the driver|Customers without a printer cannot return goods easily.
Product|Notifications by WhatsApp|Customers ignore our SMS but read WhatsApp.
Product|Same-day delivery in the city centre|Local shops want same-day delivery to compete with online giants.
Product|Let customers rate each delivery|We do not know which drivers customers love.
Product|Bulky item delivery with two people|We turn away furniture shops because one driver cannot carry a sofa.
Product|Carbon-neutral delivery option|Shops ask for a green option they can offer at checkout.
Product|Delivery to the workplace|Many customers would rather receive parcels at work.
Product|Shop plugin for the big e-commerce platforms|Small shops find it hard to connect to our system.
Product|Scheduled pick-ups for small businesses|Small shops call every day to book a pick-up.
Product|Redesign the tracking page for phones|Most customers check tracking on a phone, and the page is built for desktops.
Product|Packaging-free delivery for local shops|Local shops ask whether they can skip boxes for nearby customers.
Product|Delivery preferences saved per customer|Customers repeat the same instructions for every parcel.
Product|Digital proof of delivery with a photo|Disputes about whether a parcel arrived take days to solve.
Product|Pick-up points in partner shops|Rural customers drive far to our depot for missed parcels.
Product|Weekend deliveries in December|Shops ask for Saturday delivery in the Christmas season.
Product|API sandbox for customers' developers|Customers test against our live system because there is no sandbox.
Product|Shipping cost estimate on the website|Prospects cannot find out what sending a parcel costs.
""".strip()

COMMENTS = (
    "Yes, please! This would save our team hours every week.",
    "We tried something similar at my previous company and it worked well.",
    "How would this work for the night shift?",
    "Love it. Could we start with a small pilot in one team?",
    "I think the cost is worth it, but we should measure the effect.",
    "This affects us in Customer Service too, happy to help test it.",
    "Is there a budget for this already?",
    "+1, this comes up in almost every team meeting.",
    "We need to check this with the works council first.",
    "Could IT support this with the tools we already have?",
    "Our customers ask about this a lot.",
    "Great idea. Who would own it?",
    "I'd add: make sure it works on phones, not only desktops.",
    "We had a workaround for this, but it breaks every few months.",
    "Some numbers from our side: this happens about 30 times a month.",
    "Let's not forget the colleagues at the second site.",
    "Simple and effective. Why haven't we done this already?",
    "I'm not sure this is the biggest problem, but it is an easy win.",
)

# How an idea's description goes on after its problem.
CLOSINGS = (
    "Happy to help with a pilot.",
    "I'd be glad to share more details with whoever picks this up.",
    "It would make a real difference to our daily work.",
    "Curious what others think.",
)
BODY = "**What happens today:** {problem}\n\n{closing}"

STATUS_MESSAGES = {
    "under_review": "Thanks! We are looking into what this would take.",
    "planned": "Planned for next quarter; we will post here when work starts.",
    "in_progress": "Work has started. First results in a few weeks.",
    "done": "Done and rolled out. Thank you all for the votes and the ideas!",
    "declined": "Not now: the cost is higher than the gain this year. We keep it on file.",
}

FLAG_REASONS = (
    "This is really about one team lead, not about the process.",
    "Off-topic, and a bit rude to the night shift.",
)

# Pictures on ideas (ideaboard.demo_pictures): a title, and what is attached to it.
PICTURES = {
    "Shared booking calendar for the loading docks": ("gate", "chart", "pdf"),
    "Let drivers book a dock time slot online": ("chart",),
    "Quiet break room for the night shift": ("plan",),
}
PICTURE_WORDS = {
    "gate": "gate-2-at-dusk.jpg", "chart": "waiting-times.png", "plan": "break-room-plan.png",
    "pdf": "proposal.pdf", "chart_title": "Minutes waiting at gate 2",
    "rooms": ("Loading bay", "Lockers", "Canteen", "Quiet room"),
    "proposal": "Proposal: book the docks in a shared calendar",
}  # fmt: skip
