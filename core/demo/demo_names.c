/*
 * demo_names.c — the reference tables of the demo data set (see
 * demo_data.h): regions and cities of Romania, Poland and Bulgaria with
 * their coordinates, first and last names, e-mail domains, and the
 * transliteration that turns a name into the ASCII of an e-mail address.
 *
 * Uses: nothing but the C library.
 */
#include "demo/demo_data.h"

#include <stdint.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define REGION(name, weight, hu, cities) { name, weight, hu, cities, N(cities) }

/* ---------------------------------------------------------------- Poland */

static const demo_city pl_maz[] = {
    { "Warszawa", 52.2297, 21.0122 }, { "Radom", 51.4027, 21.1471 },
    { "Płock", 52.5468, 19.7064 }, { "Siedlce", 52.1677, 22.2901 },
    { "Ostrołęka", 53.0842, 21.5650 } };
static const demo_city pl_sla[] = {
    { "Katowice", 50.2649, 19.0238 }, { "Gliwice", 50.2945, 18.6714 },
    { "Częstochowa", 50.8118, 19.1203 }, { "Sosnowiec", 50.2863, 19.1041 },
    { "Bielsko-Biała", 49.8224, 19.0444 } };
static const demo_city pl_wlkp[] = {
    { "Poznań", 52.4064, 16.9252 }, { "Kalisz", 51.7617, 18.0911 },
    { "Konin", 52.2230, 18.2512 }, { "Piła", 53.1514, 16.7378 },
    { "Leszno", 51.8403, 16.5749 } };
static const demo_city pl_mlp[] = {
    { "Kraków", 50.0647, 19.9450 }, { "Tarnów", 50.0125, 20.9880 },
    { "Nowy Sącz", 49.6249, 20.6912 }, { "Zakopane", 49.2992, 19.9496 } };
static const demo_city pl_dsl[] = {
    { "Wrocław", 51.1079, 17.0385 }, { "Wałbrzych", 50.7845, 16.2844 },
    { "Legnica", 51.2070, 16.1619 }, { "Jelenia Góra", 50.9044, 15.7194 } };
static const demo_city pl_ldz[] = {
    { "Łódź", 51.7592, 19.4560 }, { "Piotrków Trybunalski", 51.4055, 19.7031 },
    { "Skierniewice", 51.9547, 20.1583 } };
static const demo_city pl_pom[] = {
    { "Gdańsk", 54.3520, 18.6466 }, { "Gdynia", 54.5189, 18.5305 },
    { "Sopot", 54.4418, 18.5601 }, { "Słupsk", 54.4641, 17.0285 } };
static const demo_city pl_lub[] = {
    { "Lublin", 51.2465, 22.5684 }, { "Zamość", 50.7230, 23.2520 },
    { "Chełm", 51.1431, 23.4716 } };
static const demo_city pl_pkr[] = {
    { "Rzeszów", 50.0412, 21.9991 }, { "Przemyśl", 49.7838, 22.7678 },
    { "Krosno", 49.6887, 21.7706 } };
static const demo_city pl_kpm[] = {
    { "Bydgoszcz", 53.1235, 18.0084 }, { "Toruń", 53.0138, 18.5984 },
    { "Włocławek", 52.6483, 19.0677 } };
static const demo_city pl_zpm[] = {
    { "Szczecin", 53.4285, 14.5528 }, { "Koszalin", 54.1944, 16.1722 },
    { "Świnoujście", 53.9105, 14.2471 } };
static const demo_city pl_wmz[] = {
    { "Olsztyn", 53.7784, 20.4801 }, { "Elbląg", 54.1561, 19.4045 },
    { "Ełk", 53.8281, 22.3647 } };
static const demo_city pl_swk[] = {
    { "Kielce", 50.8661, 20.6286 }, { "Ostrowiec Świętokrzyski", 50.9294, 21.3853 } };
static const demo_city pl_pdl[] = {
    { "Białystok", 53.1325, 23.1688 }, { "Suwałki", 54.1118, 22.9309 },
    { "Łomża", 53.1781, 22.0590 } };
static const demo_city pl_lbs[] = {
    { "Zielona Góra", 51.9356, 15.5062 }, { "Gorzów Wielkopolski", 52.7368, 15.2288 } };
static const demo_city pl_opo[] = {
    { "Opole", 50.6751, 17.9213 }, { "Kędzierzyn-Koźle", 50.3499, 18.2262 } };

static const demo_region pl_regions[] = {
    REGION("mazowieckie", 5.5, 0, pl_maz),
    REGION("śląskie", 4.4, 0, pl_sla),
    REGION("wielkopolskie", 3.5, 0, pl_wlkp),
    REGION("małopolskie", 3.4, 0, pl_mlp),
    REGION("dolnośląskie", 2.9, 0, pl_dsl),
    REGION("łódzkie", 2.4, 0, pl_ldz),
    REGION("pomorskie", 2.3, 0, pl_pom),
    REGION("lubelskie", 2.1, 0, pl_lub),
    REGION("podkarpackie", 2.1, 0, pl_pkr),
    REGION("kujawsko-pomorskie", 2.0, 0, pl_kpm),
    REGION("zachodniopomorskie", 1.7, 0, pl_zpm),
    REGION("warmińsko-mazurskie", 1.4, 0, pl_wmz),
    REGION("świętokrzyskie", 1.2, 0, pl_swk),
    REGION("podlaskie", 1.2, 0, pl_pdl),
    REGION("lubuskie", 1.0, 0, pl_lbs),
    REGION("opolskie", 1.0, 0, pl_opo),
};

static const char *const pl_female[] = {
    "Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Magdalena", "Joanna", "Aleksandra", "Monika", "Zofia", "Żaneta", "Łucja",
    "Grażyna", "Jadwiga", "Bożena", "Dorota", "Halina", "Weronika", "Natalia",
    "Julia", "Wiktoria", "Marta", "Beata", "Elżbieta" };
static const char *const pl_male[] = {
    "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Jan", "Michał", "Marcin",
    "Łukasz", "Grzegorz", "Jakub", "Adam", "Mateusz", "Wojciech", "Bartłomiej",
    "Jędrzej", "Zbigniew", "Mikołaj", "Maciej", "Kamil", "Rafał", "Dawid",
    "Przemysław", "Stanisław", "Kacper", "Józef" };
static const char *const pl_last_m[] = {
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
    "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski",
    "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski",
    "Grabowski", "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek",
    "Jabłoński", "Wróbel", "Majewski", "Olszewski", "Stępień", "Jaworski",
    "Malinowski", "Dudek", "Żak", "Łuczak", "Sęk", "Bąk", "Górski", "Sikora" };
static const char *const pl_last_f[] = {
    "Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kowalczyk", "Kamińska",
    "Lewandowska", "Zielińska", "Szymańska", "Woźniak", "Dąbrowska", "Kozłowska",
    "Jankowska", "Mazur", "Kwiatkowska", "Krawczyk", "Kaczmarek", "Piotrowska",
    "Grabowska", "Zając", "Pawłowska", "Michalska", "Król", "Wieczorek",
    "Jabłońska", "Wróbel", "Majewska", "Olszewska", "Stępień", "Jaworska",
    "Malinowska", "Dudek", "Żak", "Łuczak", "Sęk", "Bąk", "Górska", "Sikora" };
_Static_assert(N(pl_last_m) == N(pl_last_f), "Polish surnames come in pairs");

static const demo_names pl_names = {
    pl_female, pl_male, N(pl_female), N(pl_male), pl_last_m, pl_last_f, N(pl_last_m) };

static const char *const pl_domains[] = { "gmail.com", "wp.pl", "onet.pl", "o2.pl",
                                          "interia.pl" };

/* --------------------------------------------------------------- Romania */

static const demo_city ro_b[] = { { "București", 44.4268, 26.1025 } };
static const demo_city ro_if[] = {
    { "Voluntari", 44.4906, 26.1869 }, { "Otopeni", 44.5500, 26.0700 },
    { "Buftea", 44.5614, 25.9486 }, { "Bragadiru", 44.3711, 25.9750 },
    { "Popești-Leordeni", 44.3800, 26.1700 } };
static const demo_city ro_cj[] = {
    { "Cluj-Napoca", 46.7712, 23.6236 }, { "Turda", 46.5667, 23.7833 },
    { "Dej", 47.1431, 23.8750 }, { "Florești", 46.7467, 23.4911 } };
static const demo_city ro_tm[] = { { "Timișoara", 45.7489, 21.2087 }, { "Lugoj", 45.6886, 21.9031 } };
static const demo_city ro_is[] = { { "Iași", 47.1585, 27.6014 }, { "Pașcani", 47.2468, 26.7229 } };
static const demo_city ro_ct[] = {
    { "Constanța", 44.1598, 28.6348 }, { "Mangalia", 43.8170, 28.5824 },
    { "Medgidia", 44.2500, 28.2833 } };
static const demo_city ro_bv[] = {
    { "Brașov", 45.6427, 25.5887 }, { "Făgăraș", 45.8449, 24.9747 }, { "Săcele", 45.6200, 25.6950 } };
static const demo_city ro_ph[] = {
    { "Ploiești", 44.9365, 26.0125 }, { "Câmpina", 45.1258, 25.7341 }, { "Sinaia", 45.3500, 25.5500 } };
static const demo_city ro_bh[] = { { "Oradea", 47.0465, 21.9189 }, { "Salonta", 46.8000, 21.6500 } };
static const demo_city ro_dj[] = { { "Craiova", 44.3302, 23.7949 }, { "Calafat", 43.9900, 22.9350 } };
static const demo_city ro_ag[] = {
    { "Pitești", 44.8565, 24.8692 }, { "Câmpulung", 45.2678, 25.0464 },
    { "Curtea de Argeș", 45.1392, 24.6792 } };
static const demo_city ro_sb[] = { { "Sibiu", 45.7983, 24.1256 }, { "Mediaș", 46.1667, 24.3500 } };
static const demo_city ro_ms[] = {
    { "Târgu Mureș", 46.5386, 24.5514 }, { "Sighișoara", 46.2197, 24.7964 },
    { "Reghin", 46.7760, 24.7080 } };
static const demo_city ro_sv[] = {
    { "Suceava", 47.6514, 26.2556 }, { "Rădăuți", 47.8425, 25.9197 },
    { "Fălticeni", 47.4597, 26.3000 } };
static const demo_city ro_bc[] = { { "Bacău", 46.5670, 26.9146 }, { "Onești", 46.2500, 26.7500 } };
static const demo_city ro_gl[] = { { "Galați", 45.4353, 28.0080 }, { "Tecuci", 45.8500, 27.4333 } };
static const demo_city ro_hr[] = {
    { "Miercurea Ciuc", 46.3594, 25.8018 }, { "Odorheiu Secuiesc", 46.3053, 25.2994 },
    { "Gheorgheni", 46.7230, 25.6150 } };
static const demo_city ro_cv[] = {
    { "Sfântu Gheorghe", 45.8636, 25.7875 }, { "Târgu Secuiesc", 46.0000, 26.1333 } };
static const demo_city ro_mm[] = {
    { "Baia Mare", 47.6567, 23.5850 }, { "Sighetu Marmației", 47.9333, 23.8833 } };
static const demo_city ro_sm[] = { { "Satu Mare", 47.7900, 22.8900 }, { "Carei", 47.6833, 22.4667 } };
static const demo_city ro_ar[] = { { "Arad", 46.1866, 21.3123 } };
static const demo_city ro_hd[] = {
    { "Deva", 45.8833, 22.9000 }, { "Hunedoara", 45.7500, 22.9000 }, { "Petroșani", 45.4167, 23.3667 } };
static const demo_city ro_ab[] = { { "Alba Iulia", 46.0667, 23.5833 }, { "Aiud", 46.3000, 23.7167 } };
static const demo_city ro_nt[] = { { "Piatra Neamț", 46.9275, 26.3708 }, { "Roman", 46.9200, 26.9200 } };
static const demo_city ro_bz[] = { { "Buzău", 45.1500, 26.8333 } };
static const demo_city ro_vl[] = { { "Râmnicu Vâlcea", 45.1000, 24.3667 } };
static const demo_city ro_bt[] = { { "Botoșani", 47.7486, 26.6694 } };
static const demo_city ro_br[] = { { "Brăila", 45.2692, 27.9575 } };

static const demo_region ro_regions[] = {
    REGION("Bucuresti", 1.80, 0.01, ro_b),
    REGION("Ilfov", 0.54, 0.01, ro_if),
    REGION("Cluj", 0.69, 0.12, ro_cj),
    REGION("Timis", 0.65, 0.03, ro_tm),
    REGION("Iasi", 0.76, 0.01, ro_is),
    REGION("Constanta", 0.66, 0.01, ro_ct),
    REGION("Brasov", 0.55, 0.03, ro_bv),
    REGION("Prahova", 0.70, 0.01, ro_ph),
    REGION("Bihor", 0.55, 0.22, ro_bh),
    REGION("Dolj", 0.60, 0.01, ro_dj),
    REGION("Arges", 0.57, 0.01, ro_ag),
    REGION("Sibiu", 0.39, 0.02, ro_sb),
    REGION("Mures", 0.52, 0.35, ro_ms),
    REGION("Suceava", 0.64, 0.01, ro_sv),
    REGION("Bacau", 0.60, 0.01, ro_bc),
    REGION("Galati", 0.50, 0.01, ro_gl),
    REGION("Harghita", 0.29, 0.80, ro_hr),
    REGION("Covasna", 0.20, 0.70, ro_cv),
    REGION("Maramures", 0.45, 0.05, ro_mm),
    REGION("Satu Mare", 0.33, 0.30, ro_sm),
    REGION("Arad", 0.41, 0.08, ro_ar),
    REGION("Hunedoara", 0.36, 0.03, ro_hd),
    REGION("Alba", 0.32, 0.04, ro_ab),
    REGION("Neamt", 0.45, 0.01, ro_nt),
    REGION("Buzau", 0.40, 0.01, ro_bz),
    REGION("Valcea", 0.35, 0.01, ro_vl),
    REGION("Botosani", 0.39, 0.01, ro_bt),
    REGION("Braila", 0.28, 0.01, ro_br),
};

static const char *const ro_female[] = {
    "Maria", "Elena", "Ioana", "Andreea", "Alexandra", "Mihaela", "Cristina", "Ana",
    "Gabriela", "Mădălina", "Ștefania", "Iulia", "Raluca", "Roxana", "Bianca", "Irina",
    "Oana", "Diana", "Corina", "Simona", "Alina", "Carmen", "Luminița", "Daniela",
    "Georgiana", "Anca" };
static const char *const ro_male[] = {
    "Andrei", "Alexandru", "Ion", "Mihai", "Ștefan", "Gheorghe", "Constantin", "Răzvan",
    "Bogdan", "Vlad", "Cătălin", "Florin", "Adrian", "Cristian", "Dumitru", "Ionuț",
    "Marius", "Sorin", "Tudor", "Radu", "Lucian", "Nicolae", "Horia", "Petru", "Ovidiu",
    "Dănuț" };
static const char *const ro_last[] = {
    "Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe",
    "Matei", "Ciobanu", "Rusu", "Munteanu", "Mureșan", "Dobre", "Stănescu", "Țurcanu",
    "Niță", "Constantinescu", "Sârbu", "Vâlcu", "Bălan", "Răducanu", "Oprea", "Marin",
    "Nistor", "Tănase", "Florea", "Moldovan", "Ștefănescu", "Iordache", "Coman", "Lungu",
    "Ene", "Dragomir", "Mocanu", "Cozma", "Toma", "Barbu", "Stoian" };

static const demo_names ro_names = {
    ro_female, ro_male, N(ro_female), N(ro_male), ro_last, ro_last, N(ro_last) };

static const char *const hu_female[] = {
    "Erzsébet", "Katalin", "Ilona", "Éva", "Zsuzsanna", "Enikő", "Réka", "Tünde",
    "Ildikó", "Andrea" };
static const char *const hu_male[] = {
    "László", "Zoltán", "István", "Attila", "Csaba", "Levente", "Gábor", "Árpád",
    "Tamás", "Sándor" };
static const char *const hu_last[] = {
    "Kovács", "Szabó", "Nagy", "Tóth", "Fazekas", "Bíró", "Szőcs", "Kelemen", "Péter",
    "Balázs", "Molnár", "Farkas" };

const demo_names demo_hu_names = {
    hu_female, hu_male, N(hu_female), N(hu_male), hu_last, hu_last, N(hu_last) };

static const char *const ro_domains[] = { "gmail.com", "yahoo.com", "yahoo.ro", "outlook.com" };

/* -------------------------------------------------------------- Bulgaria */

static const demo_city bg_sfg[] = { { "Sofia", 42.6977, 23.3219 } };
static const demo_city bg_pdv[] = {
    { "Plovdiv", 42.1354, 24.7453 }, { "Asenovgrad", 42.0167, 24.8667 },
    { "Karlovo", 42.6394, 24.8050 } };
static const demo_city bg_var[] = { { "Varna", 43.2141, 27.9147 }, { "Provadia", 43.1833, 27.4333 } };
static const demo_city bg_bgs[] = {
    { "Burgas", 42.5048, 27.4626 }, { "Nesebar", 42.6594, 27.7361 },
    { "Pomorie", 42.5633, 27.6411 }, { "Sozopol", 42.4178, 27.6961 } };
static const demo_city bg_sz[] = { { "Stara Zagora", 42.4258, 25.6345 }, { "Kazanlak", 42.6194, 25.3930 } };
static const demo_city bg_rs[] = { { "Ruse", 43.8356, 25.9657 } };
static const demo_city bg_pvn[] = { { "Pleven", 43.4170, 24.6067 } };
static const demo_city bg_sfo[] = { { "Samokov", 42.3370, 23.5528 }, { "Botevgrad", 42.9000, 23.7833 } };
static const demo_city bg_blg[] = {
    { "Blagoevgrad", 42.0209, 23.0943 }, { "Bansko", 41.8383, 23.4885 },
    { "Sandanski", 41.5667, 23.2833 } };
static const demo_city bg_vtr[] = { { "Veliko Tarnovo", 43.0757, 25.6172 } };
static const demo_city bg_hkv[] = { { "Haskovo", 41.9344, 25.5554 }, { "Dimitrovgrad", 42.0500, 25.6000 } };
static const demo_city bg_paz[] = { { "Pazardzhik", 42.1928, 24.3336 }, { "Velingrad", 42.0275, 23.9914 } };
static const demo_city bg_shu[] = { { "Shumen", 43.2706, 26.9229 } };
static const demo_city bg_dob[] = { { "Dobrich", 43.5726, 27.8273 }, { "Balchik", 43.4100, 28.1600 } };
static const demo_city bg_gab[] = { { "Gabrovo", 42.8742, 25.3187 } };
static const demo_city bg_sln[] = { { "Sliven", 42.6817, 26.3229 } };

static const demo_region bg_regions[] = {
    REGION("Sofia-grad", 1.30, 0, bg_sfg),
    REGION("Plovdiv", 0.63, 0, bg_pdv),
    REGION("Varna", 0.47, 0, bg_var),
    REGION("Burgas", 0.41, 0, bg_bgs),
    REGION("Stara Zagora", 0.31, 0, bg_sz),
    REGION("Ruse", 0.20, 0, bg_rs),
    REGION("Pleven", 0.23, 0, bg_pvn),
    REGION("Sofia", 0.23, 0, bg_sfo),
    REGION("Blagoevgrad", 0.30, 0, bg_blg),
    REGION("Veliko Tarnovo", 0.23, 0, bg_vtr),
    REGION("Haskovo", 0.22, 0, bg_hkv),
    REGION("Pazardzhik", 0.23, 0, bg_paz),
    REGION("Shumen", 0.17, 0, bg_shu),
    REGION("Dobrich", 0.17, 0, bg_dob),
    REGION("Gabrovo", 0.11, 0, bg_gab),
    REGION("Sliven", 0.18, 0, bg_sln),
};

static const char *const bg_female[] = {
    "Maria", "Ivana", "Elena", "Desislava", "Tsvetana", "Radka", "Gergana", "Yordanka",
    "Nadezhda", "Petya", "Kalina", "Viktoria", "Silvia", "Teodora", "Boryana" };
static const char *const bg_male[] = {
    "Ivan", "Georgi", "Dimitar", "Nikolay", "Petar", "Hristo", "Stoyan", "Yordan",
    "Todor", "Bozhidar", "Vasil", "Kaloyan", "Tsvetan", "Angel", "Martin" };
static const char *const bg_last_m[] = {
    "Ivanov", "Georgiev", "Dimitrov", "Petrov", "Nikolov", "Hristov", "Stoyanov",
    "Todorov", "Iliev", "Vasilev", "Atanasov", "Angelov", "Yordanov", "Kolev",
    "Marinov", "Tsvetkov", "Zhelyazkov", "Popov" };
static const char *const bg_last_f[] = {
    "Ivanova", "Georgieva", "Dimitrova", "Petrova", "Nikolova", "Hristova", "Stoyanova",
    "Todorova", "Ilieva", "Vasileva", "Atanasova", "Angelova", "Yordanova", "Koleva",
    "Marinova", "Tsvetkova", "Zhelyazkova", "Popova" };
_Static_assert(N(bg_last_m) == N(bg_last_f), "Bulgarian surnames come in pairs");

static const char *const bg_female_cyr[] = {
    "Мария", "Ивана", "Елена", "Десислава", "Цветана", "Радка", "Гергана", "Йорданка",
    "Надежда", "Петя", "Калина", "Виктория", "Силвия", "Теодора", "Боряна" };
static const char *const bg_male_cyr[] = {
    "Иван", "Георги", "Димитър", "Николай", "Петър", "Христо", "Стоян", "Йордан",
    "Тодор", "Божидар", "Васил", "Калоян", "Цветан", "Ангел", "Мартин" };
static const char *const bg_last_m_cyr[] = {
    "Иванов", "Георгиев", "Димитров", "Петров", "Николов", "Христов", "Стоянов",
    "Тодоров", "Илиев", "Василев", "Атанасов", "Ангелов", "Йорданов", "Колев",
    "Маринов", "Цветков", "Желязков", "Попов" };
static const char *const bg_last_f_cyr[] = {
    "Иванова", "Георгиева", "Димитрова", "Петрова", "Николова", "Христова", "Стоянова",
    "Тодорова", "Илиева", "Василева", "Атанасова", "Ангелова", "Йорданова", "Колева",
    "Маринова", "Цветкова", "Желязкова", "Попова" };
_Static_assert(N(bg_last_m_cyr) == N(bg_last_f_cyr), "Bulgarian surnames come in pairs");

static const demo_names bg_names = {
    bg_female, bg_male, N(bg_female), N(bg_male), bg_last_m, bg_last_f, N(bg_last_m) };
static const demo_names bg_names_cyr = {
    bg_female_cyr, bg_male_cyr, N(bg_female_cyr), N(bg_male_cyr),
    bg_last_m_cyr, bg_last_f_cyr, N(bg_last_m_cyr) };

static const char *const bg_domains[] = { "gmail.com", "abv.bg", "mail.bg", "yahoo.com" };

/* ------------------------------------------------------------- countries */

const demo_country demo_countries[DEMO_NCOUNTRIES] = {
    { "RO", "ro", 42, 14000, ro_regions, N(ro_regions), &ro_names, NULL,
      ro_domains, N(ro_domains) },
    { "PL", "pl", 40, 19000, pl_regions, N(pl_regions), &pl_names, NULL,
      pl_domains, N(pl_domains) },
    { "BG", "bg", 18, 11000, bg_regions, N(bg_regions), &bg_names, &bg_names_cyr,
      bg_domains, N(bg_domains) },
};

/* ------------------------------------------------------- transliteration */

/* Latin letters with diacritics (both cases) and lower-case Cyrillic. */
static const struct {
    uint32_t cp;
    const char *ascii;
} translit[] = {
    { 0x00C1, "a" }, { 0x00C2, "a" }, { 0x00C9, "e" }, { 0x00CD, "i" }, { 0x00CE, "i" },
    { 0x00D3, "o" }, { 0x00D6, "o" }, { 0x00DA, "u" }, { 0x00DC, "u" },
    { 0x00E1, "a" }, { 0x00E2, "a" }, { 0x00E9, "e" }, { 0x00ED, "i" }, { 0x00EE, "i" },
    { 0x00F3, "o" }, { 0x00F6, "o" }, { 0x00FA, "u" }, { 0x00FC, "u" },
    { 0x0102, "a" }, { 0x0103, "a" }, { 0x0104, "a" }, { 0x0105, "a" }, { 0x0106, "c" },
    { 0x0107, "c" }, { 0x0118, "e" }, { 0x0119, "e" }, { 0x0141, "l" }, { 0x0142, "l" },
    { 0x0143, "n" }, { 0x0144, "n" }, { 0x0150, "o" }, { 0x0151, "o" }, { 0x015A, "s" },
    { 0x015B, "s" }, { 0x015E, "s" }, { 0x015F, "s" }, { 0x0162, "t" }, { 0x0163, "t" },
    { 0x0170, "u" }, { 0x0171, "u" }, { 0x0179, "z" }, { 0x017A, "z" }, { 0x017B, "z" },
    { 0x017C, "z" }, { 0x0218, "s" }, { 0x0219, "s" }, { 0x021A, "t" }, { 0x021B, "t" },
    { 0x0430, "a" }, { 0x0431, "b" }, { 0x0432, "v" }, { 0x0433, "g" }, { 0x0434, "d" },
    { 0x0435, "e" }, { 0x0436, "zh" }, { 0x0437, "z" }, { 0x0438, "i" }, { 0x0439, "y" },
    { 0x043A, "k" }, { 0x043B, "l" }, { 0x043C, "m" }, { 0x043D, "n" }, { 0x043E, "o" },
    { 0x043F, "p" }, { 0x0440, "r" }, { 0x0441, "s" }, { 0x0442, "t" }, { 0x0443, "u" },
    { 0x0444, "f" }, { 0x0445, "h" }, { 0x0446, "ts" }, { 0x0447, "ch" }, { 0x0448, "sh" },
    { 0x0449, "sht" }, { 0x044A, "a" }, { 0x044C, "y" }, { 0x044E, "yu" }, { 0x044F, "ya" },
};

/* Decode one UTF-8 sequence at *p (the tables hold valid UTF-8 only). */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t cp;
    if (s[0] < 0x80) {
        cp = s[0];
        *p = s + 1;
    } else if (s[0] < 0xE0) {
        cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        *p = s + 2;
    } else {
        cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        *p = s + 3;
    }
    return cp;
}

/* The ASCII of a non-ASCII letter; "" for anything else (spaces, hyphens). */
static const char *cp_ascii(uint32_t cp)
{
    if (cp >= 0x0410 && cp <= 0x042F) /* upper-case Cyrillic */
        cp += 0x20;
    for (size_t i = 0; i < N(translit); i++)
        if (translit[i].cp == cp)
            return translit[i].ascii;
    return "";
}

size_t demo_translit(const char *s, char *out, size_t outlen)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p != 0) {
        uint32_t cp = next_cp(&p);
        char one[2] = { 0, 0 };
        const char *a;
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
            one[0] = (char)(cp | 0x20);
            a = one;
        } else {
            a = cp_ascii(cp);
        }
        size_t k = strlen(a);
        if (n + k >= outlen)
            break;
        memcpy(out + n, a, k);
        n += k;
    }
    if (outlen > 0)
        out[n] = 0;
    return n;
}
